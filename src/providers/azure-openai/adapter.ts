import type { Secret } from '../../log/secret.js';
import { createOpenAiAdapter } from '../openai/adapter.js';
import type { Endpoint, ProviderAdapter } from '../types.js';

/** The latest generally available data-plane version (Azure OpenAI "API version lifecycle"). */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

export interface AzureOpenAiOptions {
  apiVersion: string;
  /** `api-key`: the resource key in the `api-key` header; `entra`: a Microsoft Entra token as bearer. */
  auth: 'api-key' | 'entra';
}

/**
 * Azure OpenAI: OpenAI's wire format at `/openai/deployments/{deployment}/…?api-version=…`.
 * The deployment is the model's upstream name (`models.<name>.upstreamModel`, else its name);
 * Azure ignores the body's `model`. Bodies, streams, usage and errors are OpenAI's.
 */
export function createAzureOpenAiAdapter(opts: AzureOpenAiOptions): ProviderAdapter {
  const openai = createOpenAiAdapter();
  const query = `?api-version=${encodeURIComponent(opts.apiVersion)}`;
  const paths = new Map<Endpoint, string>([
    ['chat_completions', `/openai/deployments/{model}/chat/completions${query}`],
    ['embeddings', `/openai/deployments/{model}/embeddings${query}`],
  ]);
  return {
    ...openai,
    kind: 'azure-openai',
    paths,
    authHeaders(key: Secret): Record<string, string> {
      return opts.auth === 'entra'
        ? { authorization: `Bearer ${key.reveal()}` }
        : { 'api-key': key.reveal() };
    },
  };
}
