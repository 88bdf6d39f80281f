import fc from 'fast-check';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../log/logger.js';
import { Secret } from '../../log/secret.js';
import { createCircuitRegistry } from './circuit.js';
import { KeyPool, PoolKey, type KeyState } from './key-pool.js';

const clock = { now: () => 0, monotonicMs: () => 0 };
const log = createLogger({
  level: 'silent',
  destination: new Writable({ write: (_c, _e, d) => d() }),
});

function pool(keys: { label: string; weight?: number; state?: KeyState }[]) {
  const circuits = createCircuitRegistry(
    { clock, log, sync: undefined },
    {
      enabled: true,
      failureThreshold: 1,
      errorRatePct: 50,
      minRequests: 10,
      windowMs: 1_000,
      openMs: 1_000,
      halfOpenProbes: 1,
    },
  );
  const p = new KeyPool('openai');
  for (const k of keys) {
    p.add(
      new PoolKey(
        'openai',
        {
          label: k.label,
          secret: new Secret('x'),
          ref: 'env:X',
          weight: k.weight ?? 1,
          state: k.state ?? 'active',
          createdAtMs: null,
          source: 'config',
        },
        circuits.circuit(`openai/${k.label}`),
        0,
      ),
    );
  }
  return p;
}

describe('KeyPool.pick', () => {
  it('follows the weights exactly over evenly spread draws', () => {
    const p = pool([
      { label: 'a', weight: 3 },
      { label: 'b', weight: 1 },
      { label: 'z', weight: 0 },
    ]);
    const counts = { a: 0, b: 0, z: 0 };
    for (let i = 0; i < 400; i++) {
      const label = p.pick(() => (i + 0.5) / 400, undefined)?.label as 'a' | 'b';
      counts[label]++;
    }
    expect(counts).toEqual({ a: 300, b: 100, z: 0 });
  });

  it('only ever picks an active key with weight whose breaker admits, never an excluded one', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            weight: fc.integer({ min: 0, max: 5 }),
            state: fc.constantFrom<KeyState>('active', 'draining', 'revoked'),
            isOpen: fc.boolean(),
            isExcluded: fc.boolean(),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (specs, r) => {
          const p = pool(
            specs.map((s, i) => ({ label: `k${i}`, weight: s.weight, state: s.state })),
          );
          const exclude = new Set<PoolKey>();
          specs.forEach((s, i) => {
            const key = p.keys[i] as PoolKey;
            if (s.isOpen) key.circuit.record('failure');
            if (s.isExcluded) exclude.add(key);
          });
          const picked = p.pick(() => r, exclude);
          const eligible = p.keys.filter(
            (k, i) => k.state === 'active' && k.weight > 0 && !specs[i]?.isOpen && !exclude.has(k),
          );
          return picked === undefined ? eligible.length === 0 : eligible.includes(picked);
        },
      ),
    );
  });
});

describe('PoolKey in-flight tracking', () => {
  it('whenIdle resolves when the last call in flight ends', async () => {
    const key = pool([{ label: 'a' }]).keys[0] as PoolKey;
    expect(key.lease() && key.lease()).toBe(true);
    let isIdle = false;
    const idle = key.whenIdle().then(() => (isIdle = true));
    key.release('success');
    await Promise.resolve();
    expect([key.inFlight, isIdle]).toEqual([1, false]);
    key.release('neutral');
    await idle;
    expect([key.inFlight, key.calls, key.failures]).toEqual([0, 2, 0]);
  });
});

describe('PoolKey counters', () => {
  it('counts a call in flight as neither a success nor a failure', () => {
    const key = pool([{ label: 'a' }]).get('a') as PoolKey;
    expect(key.lease()).toBe(true);
    expect(key.lease()).toBe(true);
    expect([key.calls, key.inFlight, key.successes, key.failures]).toEqual([2, 2, 0, 0]);
    key.release('success');
    expect([key.calls, key.inFlight, key.successes, key.failures]).toEqual([2, 1, 1, 0]);
    key.release('neutral');
    expect([key.calls, key.inFlight, key.successes, key.failures]).toEqual([2, 0, 1, 0]);
  });
});
