import type { Secret } from '../../log/secret.js';
import { mapUpstreamError, readErrorBody } from '../core/errors.js';
import type { Endpoint, ProviderAdapter, StreamTap, UpstreamErrorInput, Usage } from '../types.js';
import { createAnthropicStreamTap, usageFromAnthropic } from './stream.js';

const PATHS: ReadonlyMap<Endpoint, string> = new Map<Endpoint, string>([
  ['messages', '/v1/messages'],
]);

export function createAnthropicAdapter(): ProviderAdapter {
  return {
    kind: 'anthropic',
    paths: PATHS,
    authHeaders(key: Secret) {
      return { 'x-api-key': key.reveal() };
    },
    prepareBody(_endpoint, body, upstreamModel) {
      // Anthropic always reports usage on streams, so only an alias needs an edit.
      const json =
        upstreamModel !== undefined && upstreamModel !== body.model
          ? { ...body, model: upstreamModel }
          : undefined;
      return { json, isUsageRequestedByCaller: true };
    },
    usageFromJson(_endpoint: Endpoint, json: unknown): Usage | undefined {
      const usage = (json as { usage?: unknown } | null)?.usage;
      return usageFromAnthropic(usage, undefined);
    },
    createStreamTap(): StreamTap {
      return createAnthropicStreamTap();
    },
    mapError(input: UpstreamErrorInput) {
      return mapUpstreamError(input, readErrorBody(input.bodyText));
    },
  };
}
