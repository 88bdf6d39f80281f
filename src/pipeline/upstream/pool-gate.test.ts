import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GatewayError } from '../../errors/gateway-error.js';
import { createPoolGate } from './pool-gate.js';

const never = new AbortController().signal;

describe('upstream pool gate', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps the reserve from a caller above its share, so another caller gets a connection at once', async () => {
    const gate = createPoolGate({ capacity: 4, reserved: 1, waitMs: 1_000 });
    const a = [];
    for (let i = 0; i < 3; i++) a.push(await gate.acquire('a', never));
    let isFourthGranted = false;
    const fourth = gate.acquire('a', never).then((release) => {
      isFourthGranted = true;
      return release;
    });
    await Promise.resolve();
    expect([isFourthGranted, gate.stats()]).toEqual([false, { held: 3, waiting: 1 }]);
    await gate.acquire('b', never);
    vi.advanceTimersByTime(1_000);
    await expect(fourth).rejects.toMatchObject({ code: 'upstream_queue_timeout' });
    expect(gate.stats()).toEqual({ held: 4, waiting: 0 });
  });

  it('hands a freed connection to the waiting caller that holds the fewest', async () => {
    const gate = createPoolGate({ capacity: 3, reserved: 1, waitMs: 1_000 });
    const first = await gate.acquire('a', never);
    await gate.acquire('a', never);
    await gate.acquire('b', never);
    const order: string[] = [];
    const waitA = gate.acquire('a', never).then(() => order.push('a'));
    const waitC = gate.acquire('c', never).then(() => order.push('c'));
    first();
    await waitC;
    expect(order).toEqual(['c']);
    expect(gate.stats()).toEqual({ held: 3, waiting: 1 });
    vi.advanceTimersByTime(1_000);
    await expect(waitA).rejects.toMatchObject({ code: 'upstream_queue_timeout' });
  });

  it('refuses a request that waited too long with a typed 503 and Retry-After', async () => {
    const gate = createPoolGate({ capacity: 1, reserved: 1, waitMs: 500 });
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
    const gate = createPoolGate({ capacity: 1, reserved: 1, waitMs: 500 });
    const release = await gate.acquire('a', never);
    const left = new AbortController();
    const waiting = gate.acquire('b', left.signal);
    left.abort(new DOMException('gone', 'AbortError'));
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    release();
    release();
    expect(gate.stats()).toEqual({ held: 0, waiting: 0 });
  });

  it('tryAcquire takes a free connection at once, and takes none where acquire would wait', async () => {
    const gate = createPoolGate({ capacity: 2, reserved: 1, waitMs: 500 });
    const release = gate.tryAcquire('a');
    expect([typeof release, gate.stats()]).toEqual(['function', { held: 1, waiting: 0 }]);
    // 'a' holds its share and only the reserve is free: acquire would queue it.
    expect(gate.tryAcquire('a')).toBeUndefined();
    expect(gate.stats()).toEqual({ held: 1, waiting: 0 });
    release?.();
    await gate.acquire('b', never);
    expect(gate.stats()).toEqual({ held: 1, waiting: 0 });
  });
});
