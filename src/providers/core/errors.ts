import { GatewayError } from '../../errors/gateway-error.js';
import { scrubber } from '../../log/scrub.js';
import type { UpstreamErrorInput } from '../types.js';

export interface UpstreamErrorDetail {
  /** Provider's message; scrubbed before use. */
  message: string | undefined;
  /** Provider's code or type, e.g. `context_length_exceeded`. */
  code: string | undefined;
}

const MAX_MESSAGE_CHARS = 400;

/**
 * Maps an upstream error reply to our code. Only for a rejected request (4xx other than
 * auth) does the provider's message reach the caller, scrubbed and truncated, because the
 * caller needs it to fix the request; everything else gets our own message.
 */
export function mapUpstreamError(input: UpstreamErrorInput, detail: UpstreamErrorDetail) {
  const { status } = input;
  if (status === 401 || status === 403) return new GatewayError('upstream_auth_failed');
  if (status === 429) {
    const retryAfterSec = parseRetryAfter(input.retryAfter);
    return new GatewayError(
      'upstream_rate_limited',
      retryAfterSec === undefined ? {} : { retryAfterSec },
    );
  }
  if (status === 404) return new GatewayError('upstream_model_not_found');
  if (status === 408) return new GatewayError('upstream_timeout');
  if (status === 503 || status === 529) {
    // Overload replies may carry Retry-After too; retries honour it and callers see it.
    const retryAfterSec = parseRetryAfter(input.retryAfter);
    return new GatewayError(
      'upstream_overloaded',
      retryAfterSec === undefined ? {} : { retryAfterSec },
    );
  }
  if (status >= 400 && status < 500) {
    const text = `${detail.code ?? ''} ${detail.message ?? ''}`;
    if (/context.length|context_length_exceeded|too many tokens|prompt is too long/i.test(text)) {
      return new GatewayError('context_length_exceeded');
    }
    const upstreamMessage = detail.message === undefined ? '' : safeMessage(detail.message);
    return new GatewayError('upstream_invalid_request', {
      message:
        upstreamMessage === ''
          ? 'The provider rejected the request.'
          : `The provider rejected the request: ${upstreamMessage}`,
    });
  }
  return new GatewayError('upstream_error');
}

function safeMessage(message: string): string {
  const clean = scrubber.scrub(message).replace(/\p{Cc}/gu, ' ');
  return clean.length > MAX_MESSAGE_CHARS ? `${clean.slice(0, MAX_MESSAGE_CHARS)}…` : clean;
}

/** `Retry-After` as seconds (integer or HTTP date), capped at one hour. */
export function parseRetryAfter(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(3600, Math.ceil(seconds));
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.min(3600, Math.max(0, Math.ceil((at - nowMs) / 1000)));
}

/** Reads `{error:{message,code|type}}`, the shape both OpenAI and Anthropic use. */
export function readErrorBody(bodyText: string): UpstreamErrorDetail {
  try {
    const body: unknown = JSON.parse(bodyText);
    const error = isObject(body) ? body.error : undefined;
    if (!isObject(error)) return { message: undefined, code: undefined };
    const message = typeof error.message === 'string' ? error.message : undefined;
    const code =
      typeof error.code === 'string'
        ? error.code
        : typeof error.type === 'string'
          ? error.type
          : undefined;
    return { message, code };
  } catch {
    return { message: undefined, code: undefined };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
