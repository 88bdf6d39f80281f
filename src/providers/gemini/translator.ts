import type { ProviderTranslator } from '../core/translator.js';
import { createGeminiStreamDecoder } from './stream.js';
import { geminiRequestFromCanonical, geminiResponseToCanonical } from './translate.js';

export const geminiTranslator: ProviderTranslator = {
  format: 'gemini',
  requestFromCanonical: (req) => geminiRequestFromCanonical(req),
  responseToCanonical: geminiResponseToCanonical,
  createStreamDecoder: createGeminiStreamDecoder,
};

/** `/v1beta/models/{model}:generateContent`, or `:streamGenerateContent?alt=sse` (SSE framing). */
export function geminiPath(upstreamModel: string, isStream: boolean): string {
  const model = encodeURIComponent(upstreamModel);
  return isStream
    ? `/v1beta/models/${model}:streamGenerateContent?alt=sse`
    : `/v1beta/models/${model}:generateContent`;
}
