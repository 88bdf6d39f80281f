import type { ErrorCode } from '../../errors/codes.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import type { AbortSignalLike } from './timeouts.js';

export interface RetryOptions {
  /** Upstream calls per request, the first included, across keys and fallbacks. */
  readonly maxAttempts: number;
  /** Backoff ceiling of the first retry; it doubles per retry up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** From the first call, no retry starts later than this; a longer Retry-After is passed on. */
  readonly maxRetryTimeMs: number;
}

/** Waits `ms`; rejects when `signal` aborts. Tests inject one that returns at once. */
export type Sleep = (ms: number, signal: AbortSignalLike) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const aborted = () => (signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) return reject(aborted());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort);
  });

/**
 * Failures worth another call: the provider said "later" (429, 503, 529), failed (5xx, 408), or
 * never got the request (refused, reset, connect timeout). Not retried: 4xx that would fail
 * again, a first-byte or idle timeout (the provider may still be generating, and charging), a
 * malformed reply, and anything after a stream started (by construction: no error comes back).
 */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'upstream_rate_limited',
  'upstream_overloaded',
  'upstream_error',
  'upstream_timeout',
  'upstream_unreachable',
  'upstream_timeout_connect',
]);

export function isRetryable(err: GatewayError): boolean {
  return RETRYABLE.has(err.code);
}

/**
 * Exponential backoff with full jitter (a uniform draw below the exponential ceiling), so
 * callers that failed together do not retry together. `retryNo` counts from 1.
 */
export function backoffMs(retryNo: number, opts: RetryOptions, random: () => number): number {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (retryNo - 1));
  return Math.floor(random() * ceiling);
}

/**
 * How long to wait before retry number `retryNo`, or `undefined` when it would start past the
 * retry budget (or the total deadline): then the caller gets the error, Retry-After included.
 * A provider's Retry-After is a floor, never shortened by jitter.
 */
export function retryDelayMs(
  err: GatewayError,
  retryNo: number,
  opts: RetryOptions,
  budget: { elapsedMs: number; remainingMs: number },
  random: () => number,
): number | undefined {
  const jittered = backoffMs(retryNo, opts, random);
  const wait =
    err.retryAfterSec === undefined ? jittered : Math.max(jittered, err.retryAfterSec * 1000);
  if (budget.elapsedMs + wait > opts.maxRetryTimeMs) return undefined;
  if (wait >= budget.remainingMs) return undefined;
  return wait;
}
