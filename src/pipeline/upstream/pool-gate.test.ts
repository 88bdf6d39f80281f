import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GatewayError } from '../../errors/gateway-error.js';
import { createPoolGate, type ReleaseConnection } from './pool-gate.js';

const never = new AbortController().signal;

describe('upstream pool gate', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps one caller to its share, so another caller gets a connection at once', async () => {
    const gate = createPoolGate({ capacity: 4, maxPerCaller: 2, waitMs: 1_000 });
    const a = [await gate.acquire('a', never), await gate.acquire('a', never)];
    let isThirdGranted = false;
    const third = gate.acquire('a', never).then((release) => {
      isThirdGranted = true;
      return release;
    });
    await Promise.resolve();
    expect([isThirdGranted, gate.stats()]).toEqual([false, { held: 2, waiting: 1 }]);
    await gate.acquire('b', never);
    (a[0] as ReleaseConnection)();
    expect(await third).toBeTypeOf('function');
    expect(gate.stats()).toEqual({ held: 3, waiting: 0 });
  });

  it('hands a freed connection to the waiting caller that holds the fewest', async () => {
    const gate = createPoolGate({ capacity: 2, maxPerCaller: 2, waitMs: 1_000 });
    const first = await gate.acquire('a', never);
    await gate.acquire('a', never);
    const order: string[] = [];
    const waitA = gate.acquire('a', never).then(() => order.push('a'));
    const waitB = gate.acquire('b', never).then(() => order.push('b'));
    first();
    await waitB;
    expect(order).toEqual(['b']);
    expect(gate.stats()).toEqual({ held: 2, waiting: 1 });
    vi.advanceTimersByTime(1_000);
    await expect(waitA).rejects.toMatchObject({ code: 'upstream_queue_timeout' });
  });

  it('refuses a request that waited too long with a typed 503 and Retry-After', async () => {
    const gate = createPoolGate({ capacity: 1, maxPerCaller: 1, waitMs: 500 });
    await gate.acquire('a', never);
    const waiting = gate.acquire('b', never);
    vi.advanceTimersByTime(499);
    expect(gate.stats().waiting).toBe(1);
    vi.advanceTimersByTime(1);
    const err = (await waiting.catch((e: unknown) => e)) as GatewayError;
    expect([err.code, err.status, err.retryAfterSec]).toEqual(['upstream_queue_timeout', 503, 1]);
    expect(gate.stats()).toEqual({ held: 1, waiting: 0 });
  });

  it('drops a waiter whose caller left, and a second release changes nothing', async () => {
    const gate = createPoolGate({ capacity: 1, maxPerCaller: 1, waitMs: 500 });
    const release = await gate.acquire('a', never);
    const left = new AbortController();
    const waiting = gate.acquire('b', left.signal);
    left.abort(new DOMException('gone', 'AbortError'));
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    release();
    release();
    expect(gate.stats()).toEqual({ held: 0, waiting: 0 });
  });
});
