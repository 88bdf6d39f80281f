import { GatewayError } from '../../errors/gateway-error.js';
import type { Secret } from '../../log/secret.js';
import { mapUpstreamError, readErrorBody } from '../core/errors.js';
import type { ProviderAdapter, StreamTap, UpstreamErrorInput } from '../types.js';
import { usageFromGemini } from './translate.js';

/**
 * Google Gemini (AI Studio, `generativelanguage.googleapis.com`). It speaks none of the
 * callers' formats, so every request is translated (`providers/translators.ts` names its
 * paths); the adapter adds the key and reads Google's errors.
 */
export function createGeminiAdapter(): ProviderAdapter {
  return {
    kind: 'gemini',
    paths: new Map(),
    authHeaders(key: Secret) {
      // The header, not `?key=`: a query string ends up in access logs.
      return { 'x-goog-api-key': key.reveal() };
    },
    prepareBody() {
      return { json: undefined, isUsageRequestedByCaller: true };
    },
    usageFromJson(_endpoint, json) {
      const u = usageFromGemini((json as { usageMetadata?: unknown } | null)?.usageMetadata);
      return { promptTokens: u.inputTokens, completionTokens: u.outputTokens };
    },
    createStreamTap: untranslatedTap,
    mapError: mapGoogleError,
  };
}

/**
 * Google's errors: `{error: {code, message, status, details: [{reason}]}}`. A wrong API key
 * is a 400 with reason `API_KEY_INVALID`: an auth failure, not the caller's bad request.
 */
export function mapGoogleError(input: UpstreamErrorInput): GatewayError {
  const detail = readErrorBody(input.bodyText);
  if (input.status === 400 && /API_KEY_INVALID|API key not valid/.test(input.bodyText)) {
    return new GatewayError('upstream_auth_failed');
  }
  let status: string | undefined;
  try {
    const body = JSON.parse(input.bodyText) as { error?: { status?: unknown } };
    status = typeof body.error?.status === 'string' ? body.error.status : undefined;
  } catch {
    status = undefined;
  }
  return mapUpstreamError(input, { message: detail.message, code: detail.code ?? status });
}

/** Never used: a kind with no native paths is only reached translated. Fails closed. */
export function untranslatedTap(): StreamTap {
  const failure = new GatewayError('internal_error');
  return {
    push: () => Buffer.alloc(0),
    flush: () => Buffer.alloc(0),
    usage: undefined,
    isComplete: false,
    failure,
  };
}
