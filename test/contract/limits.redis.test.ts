import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createMemoryLimitBackend } from '../../src/limits/memory.js';
import { createRedisLimitBackend } from '../../src/limits/redis.js';
import type { RateCheck, RateOutcome } from '../../src/limits/types.js';
import { WINDOW_BUCKETS } from '../../src/limits/window.js';
import {
  dropRedisPrefix,
  REDIS_URL,
  startPrivateRedis,
  uniqueRedisPrefix,
} from '../helpers/redis.js';
import { runLimitsContract } from './limits.contract.js';

async function open(url: string, keyPrefix: string) {
  const backend = createRedisLimitBackend({ url, keyPrefix, commandTimeoutMs: 2_000 });
  await backend.waitReady(2_000);
  return backend;
}

runLimitsContract('redis', async () => {
  const prefix = uniqueRedisPrefix('contract');
  const backend = await open(REDIS_URL, prefix);
  const peer = await open(REDIS_URL, prefix);
  await backend.ping();
  return {
    backend,
    peer,
    async cleanup() {
      await backend.close();
      await peer.close();
      await dropRedisPrefix(prefix);
    },
  };
});

describe('redis limit backend: failures', () => {
  it('fails closed with limits_unavailable when Redis cannot be reached', async () => {
    const backend = createRedisLimitBackend({
      url: 'redis://:not-in-messages@127.0.0.1:1',
      keyPrefix: 'unreachable',
      commandTimeoutMs: 200,
    });
    try {
      const calls = [
        backend.consumeRate([{ id: 'a', limit: 1, windowMs: 1000, cost: 1 }], 0, 'q'),
        backend.acquireSlots([{ id: 'a', limit: 1 }], 'l', 0, 1000),
        backend.reserve([{ id: 'a', limitMicroUsd: 1, expiresAtMs: 1 }], 'r', 1, 0, 1000),
        backend.settle([{ id: 'a', limitMicroUsd: 1, expiresAtMs: 1 }], 'r', 1),
        backend.ping(),
      ];
      // Settlements are batched (they wait for the end of the event-loop turn), so every
      // call gets its handler now, before the quicker ones reject.
      const outcomes = calls.map((call) =>
        call.then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      for (const outcome of outcomes) {
        const err = await outcome;
        expect(err).toMatchObject({ code: 'limits_unavailable', status: 503 });
        expect(String(err)).not.toContain('not-in-messages');
      }
    } finally {
      await backend.close();
    }
  });
});

describe('redis limit backend: sliding windows at scale', () => {
  const T0 = 1_800_000_000_000;

  it('decides exactly as the in-process backend, replica clocks a little apart included', async () => {
    const prefix = uniqueRedisPrefix('differential');
    const redis = await open(REDIS_URL, prefix);
    try {
      const op = fc.record({
        gapMs: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 40_000 })),
        // Another replica's clock, up to two sub-buckets behind.
        skewMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1_200 })),
        cost: fc.integer({ min: 0, max: 30 }),
        windows: fc.subarray([1_000, 60_000, 3_600_000], { minLength: 1 }),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 90 }),
          fc.array(op, { minLength: 1, maxLength: 120 }),
          async (limit, ops) => {
            const memory = createMemoryLimitBackend();
            const run = `${Math.random()}`;
            let t = T0;
            let latest = Number.NEGATIVE_INFINITY;
            for (const [i, o] of ops.entries()) {
              t += o.gapMs;
              const checks: RateCheck[] = o.windows.map((windowMs) => ({
                id: `rl:key:${run}:${windowMs}`,
                limit,
                windowMs,
                cost: o.cost,
              }));
              const now = t - o.skewMs;
              const [fromRedis, fromMemory] = [
                await redis.consumeRate(checks, now, `q${i}`),
                await memory.consumeRate(checks, now, `q${i}`),
              ];
              const isBehind = now < latest;
              latest = Math.max(latest, now);
              if (isBehind && !isDeepStrictEqual(fromRedis, fromMemory)) {
                // A replica whose clock is behind the newest one seen may still count a unit
                // that expired by the newest clock: Redis evaluates each window at the caller's
                // time and keeps it, the in-process backend dropped it for good when its clock
                // passed. Redis must then be the stricter of the two; the backends now hold
                // different units, so the rest of this run cannot be compared.
                expect(isStricter(fromRedis, fromMemory)).toBe(true);
                return;
              }
              expect(fromRedis).toEqual(fromMemory);
            }
          },
        ),
        { numRuns: 30 },
      );
    } finally {
      await redis.close();
      await dropRedisPrefix(prefix);
    }
  }, 60_000);

  it('keeps an hourly window in a bounded hash, under the subject hash tag, whatever the traffic', async () => {
    const prefix = uniqueRedisPrefix('bounded');
    const backend = await open(REDIS_URL, prefix);
    const admin = new Redis(REDIS_URL);
    try {
      // 5,000 requests over an hour of simulated time: a sorted set would hold 5,000 members.
      const rph = { id: 'rl:key:key_big:rph', limit: 1e9, windowMs: 3_600_000, cost: 1 };
      for (let i = 0; i < 5_000; i++) await backend.consumeRate([rph], T0 + i * 720, `q${i}`);
      const keys = (await admin.keys(`${prefix}:*`)).sort();
      // The subject's hash (the window's header, its keep-until) and the sub-buckets' ring.
      const subject = `${prefix}:{key:key_big}`;
      expect(keys).toEqual([subject, `${subject}:rl:rph`]);
      expect(await admin.hlen(subject)).toBe(2);
      expect(await admin.hlen(`${subject}:rl:rph`)).toBeLessThanOrEqual(WINDOW_BUCKETS + 1);
      const bytes = await Promise.all(
        keys.map(async (k) => Number(await admin.memory('USAGE', k))),
      );
      expect(bytes.reduce((n, b) => n + b, 0)).toBeLessThan(8 * 1024);
      // An hour on, the first sub-bucket (36 s, 50 requests) has left the window.
      const last = await backend.consumeRate([rph], T0 + 5_000 * 720, 'last');
      expect(last.ok && last.states[0]?.remaining).toBe(1e9 - (5_000 - 50) - 1);
    } finally {
      admin.disconnect();
      await backend.close();
      await dropRedisPrefix(prefix);
    }
  }, 60_000);
});

describe('redis limit backend: settlements', () => {
  it('settles the requests that end together in one script call, each with its own totals', async () => {
    // A private Redis, so its command counts are this test's alone.
    const server = await startPrivateRedis();
    const backend = await open(server.url, 'settle');
    const admin = new Redis(server.url);
    try {
      const budgets = [
        { id: 'b:key:k1:m1', limitMicroUsd: 1_000_000, expiresAtMs: Date.now() + 86_400_000 },
        { id: 'b:team:t1:m1', limitMicroUsd: 1_000_000, expiresAtMs: Date.now() + 86_400_000 },
      ];
      for (let i = 0; i < 50; i++) {
        expect((await backend.reserve(budgets, `r${i}`, 100, 0, 60_000)).ok).toBe(true);
      }
      await admin.config('RESETSTAT');
      const totals = await Promise.all(
        Array.from({ length: 50 }, (_, i) => backend.settle(budgets, `r${i}`, i)),
      );
      const stats = await admin.info('commandstats');
      const scriptCalls = [...stats.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)].reduce(
        (n, m) => n + Number(m[1]),
        0,
      );
      expect(scriptCalls).toBeLessThanOrEqual(2);
      // Each settlement saw the spend of those before it in the batch, and its own refund.
      const spentAfter = (i: number) => (i * (i + 1)) / 2;
      totals.forEach((t, i) => {
        expect(t).toEqual([
          { spentMicroUsd: spentAfter(i), reservedMicroUsd: 100 * (49 - i) },
          { spentMicroUsd: spentAfter(i), reservedMicroUsd: 100 * (49 - i) },
        ]);
      });
      expect(await backend.totals(budgets.map((b) => b.id))).toEqual([
        { spentMicroUsd: spentAfter(49), reservedMicroUsd: 0 },
        { spentMicroUsd: spentAfter(49), reservedMicroUsd: 0 },
      ]);
    } finally {
      admin.disconnect();
      await backend.close();
      await server.close();
    }
  });
});

describe('redis limit backend: one script call per event-loop turn', () => {
  it('admits the requests of one turn in one script call, each with its own answer in order', async () => {
    // A private Redis, so its command counts are this test's alone.
    const server = await startPrivateRedis();
    const backend = await open(server.url, 'admit');
    const admin = new Redis(server.url);
    try {
      const now = Date.now();
      const rpm = { id: 'rl:key:k1:rpm', limit: 30, windowMs: 60_000, cost: 1 };
      const slot = { id: 'cc:key:k1', limit: 1_000 };
      const budget = { id: 'b:key:k1:m1', limitMicroUsd: 1_000_000, expiresAtMs: now + 86_400_000 };
      const request = (i: number) => ({
        rates: [rpm],
        slots: [slot],
        budgets: [budget],
        id: `q${i}`,
        amountMicroUsd: 100,
        nowMs: now,
        leaseTtlMs: 60_000,
      });
      // Warm: the script is loaded (the first call of a script may go as EVAL and EVALSHA).
      await backend.ping();
      await admin.config('RESETSTAT');
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_, i) => backend.admit(request(i))),
      );
      // A slot release and a settlement of the same turn share the next call.
      await Promise.all([
        backend.releaseSlots([slot.id], 'q0'),
        backend.settle([budget], 'q1', 40),
      ]);
      const stats = await admin.info('commandstats');
      const scriptCalls = [...stats.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)].reduce(
        (n, m) => n + Number(m[1]),
        0,
      );
      expect(scriptCalls).toBeLessThanOrEqual(3);
      // The first 30 in the order they were made fit the window; each saw those before it.
      outcomes.forEach((out, i) => {
        if (i < 30)
          expect(out).toEqual({
            ok: true,
            rates: [expect.objectContaining({ remaining: 29 - i })],
          });
        else expect(out).toMatchObject({ ok: false, refused: 'rate' });
      });
      expect(await backend.totals([budget.id])).toEqual([
        { spentMicroUsd: 40, reservedMicroUsd: 100 * 29 },
      ]);
    } finally {
      admin.disconnect();
      await backend.close();
      await server.close();
    }
  });

  it('sweeps thousands of expired leases of one subject in one admission', async () => {
    // A replica died holding them: more than one Lua unpack can take at once.
    const prefix = uniqueRedisPrefix('sweep');
    const backend = await open(REDIS_URL, prefix);
    const admin = new Redis(REDIS_URL);
    try {
      const T0 = 1_800_000_000_000;
      const slot = { id: 'cc:key:many', limit: 100_000 };
      const held = await Promise.all(
        Array.from({ length: 9_000 }, (_, i) => backend.acquireSlots([slot], `l${i}`, T0, 1_000)),
      );
      expect(held.every((o) => o.ok)).toBe(true);
      expect(await backend.acquireSlots([slot], 'late', T0 + 5_000, 1_000)).toEqual({ ok: true });
      expect(await admin.hget(`${prefix}:{key:many}`, 'cc')).toBe('1');
    } finally {
      admin.disconnect();
      await backend.close();
      await dropRedisPrefix(prefix);
    }
  });

  it('gives a new subject hash its TTL with its first write', async () => {
    const prefix = uniqueRedisPrefix('ttl');
    const backend = await open(REDIS_URL, prefix);
    const admin = new Redis(REDIS_URL);
    try {
      // A subject seen once, with a rate window only: nothing later moves its TTL.
      const rpm = { id: 'rl:key:once:rpm', limit: 10, windowMs: 60_000, cost: 1 };
      expect((await backend.consumeRate([rpm], Date.now(), 'q')).ok).toBe(true);
      const ttl = await admin.pttl(`${prefix}:{key:once}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(61_000);
    } finally {
      admin.disconnect();
      await backend.close();
      await dropRedisPrefix(prefix);
    }
  });
});

/** `a` refuses whenever `b` does, and leaves no more room in any window. */
function isStricter(a: RateOutcome, b: RateOutcome): boolean {
  if (!b.ok && a.ok) return false;
  if (a.ok !== b.ok) return true;
  return a.states.every((state, i) => state.remaining <= (b.states[i]?.remaining ?? 0));
}
