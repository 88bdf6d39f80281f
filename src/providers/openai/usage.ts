import type { Endpoint, Usage } from '../types.js';

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Chat and embeddings report prompt/completion tokens; the Responses API input/output. */
export function usageFromOpenAiJson(endpoint: Endpoint, json: unknown): Usage | undefined {
  const usage = record(record(json)?.usage);
  if (usage === undefined) return undefined;
  if (endpoint === 'responses') {
    return { promptTokens: num(usage.input_tokens), completionTokens: num(usage.output_tokens) };
  }
  return {
    promptTokens: num(usage.prompt_tokens),
    completionTokens: num(usage.completion_tokens),
  };
}

export { num, record };
