import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/gateway-error.js';
import { backoffMs, isRetryable, realSleep, retryDelayMs } from './retry.js';
import { UpstreamDeadline } from './timeouts.js';

const opts = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 5_000, maxRetryTimeMs: 15_000 };
const roomy = { elapsedMs: 0, remainingMs: 600_000 };

describe('isRetryable', () => {
  it.each([
    ['upstream_rate_limited', true],
    ['upstream_overloaded', true],
    ['upstream_error', true],
    ['upstream_unreachable', true],
    ['upstream_timeout_connect', true],
    ['upstream_timeout_first_byte', false],
    ['upstream_timeout_idle', false],
    ['upstream_bad_response', false],
    ['upstream_invalid_request', false],
    ['upstream_auth_failed', false],
    ['client_closed', false],
  ] as const)('%s → %s', (code, expected) => {
    expect(isRetryable(new GatewayError(code))).toBe(expected);
  });
});

describe('backoff with full jitter', () => {
  it('stays below the doubling ceiling, capped at maxDelayMs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (n, r) => {
          const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (n - 1));
          const d = backoffMs(n, opts, () => r);
          return d >= 0 && d < ceiling + 1 && d <= opts.maxDelayMs;
        },
      ),
    );
    expect([1, 2, 3, 10].map((n) => backoffMs(n, opts, () => 0.5))).toEqual([100, 200, 400, 2500]);
  });

  it('never waits less than Retry-After, and gives up when it would overrun the budget', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (retryAfterSec, elapsedMs, r) => {
          const err = new GatewayError('upstream_rate_limited', { retryAfterSec });
          const wait = retryDelayMs(err, 1, opts, { elapsedMs, remainingMs: 600_000 }, () => r);
          const floor = Math.max(
            retryAfterSec * 1000,
            backoffMs(1, opts, () => r),
          );
          if (wait === undefined) return elapsedMs + floor > opts.maxRetryTimeMs;
          return wait >= retryAfterSec * 1000 && elapsedMs + wait <= opts.maxRetryTimeMs;
        },
      ),
    );
  });

  it('gives up when the wait would reach the total deadline', () => {
    const err = new GatewayError('upstream_error');
    expect(retryDelayMs(err, 1, opts, roomy, () => 0.5)).toBe(100);
    expect(retryDelayMs(err, 1, opts, { elapsedMs: 0, remainingMs: 100 }, () => 0.5)).toBe(
      undefined,
    );
  });
});

describe('realSleep', () => {
  it('resolves after the wait, and rejects at once when the signal aborts', async () => {
    const caller = new AbortController();
    const deadline = new UpstreamDeadline(caller.signal, 60_000, () => 0);
    await expect(realSleep(1, deadline)).resolves.toBeUndefined();
    const waiting = realSleep(60_000, deadline);
    caller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    await expect(realSleep(1, deadline)).rejects.toMatchObject({ name: 'AbortError' });
  });
});
