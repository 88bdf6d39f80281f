import type { Secret } from '../../log/secret.js';
import { mapUpstreamError, readErrorBody } from '../core/errors.js';
import type {
  Endpoint,
  JsonObject,
  PreparedBody,
  ProviderAdapter,
  StreamTap,
  UpstreamErrorInput,
  Usage,
} from '../types.js';
import { createOpenAiStreamTap } from './stream.js';
import { usageFromOpenAiJson } from './usage.js';

const PATHS: ReadonlyMap<Endpoint, string> = new Map<Endpoint, string>([
  ['chat_completions', '/v1/chat/completions'],
  ['responses', '/v1/responses'],
  ['embeddings', '/v1/embeddings'],
]);

/** OpenAI and every OpenAI-compatible service (by base URL in config). */
export function createOpenAiAdapter(): ProviderAdapter {
  return {
    kind: 'openai',
    paths: PATHS,
    authHeaders(key: Secret) {
      return { authorization: `Bearer ${key.reveal()}` };
    },
    prepareBody(endpoint, body, upstreamModel, isStream): PreparedBody {
      let json: JsonObject | undefined;
      if (upstreamModel !== undefined && upstreamModel !== body.model) {
        json = { ...body, model: upstreamModel };
      }
      let isUsageRequestedByCaller = true;
      if (isStream && endpoint === 'chat_completions') {
        const options = body.stream_options;
        const asked =
          typeof options === 'object' &&
          options !== null &&
          (options as JsonObject).include_usage === true;
        if (!asked) {
          // Budgets and audit need usage; the tap removes the extra event again.
          isUsageRequestedByCaller = false;
          const base = json ?? { ...body };
          json = {
            ...base,
            stream_options: {
              ...(typeof options === 'object' && options !== null ? options : {}),
              include_usage: true,
            },
          };
        }
      }
      return { json, isUsageRequestedByCaller };
    },
    usageFromJson(endpoint: Endpoint, json: unknown): Usage | undefined {
      return usageFromOpenAiJson(endpoint, json);
    },
    createStreamTap(endpoint, opts): StreamTap {
      return createOpenAiStreamTap(endpoint, opts);
    },
    mapError(input: UpstreamErrorInput) {
      return mapUpstreamError(input, readErrorBody(input.bodyText));
    },
  };
}
