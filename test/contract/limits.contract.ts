/**
 * The limit backend contract: the in-process and Redis backends run the same suite
 * (`limits.memory.test.ts`, `limits.redis.test.ts`). Time is passed in, so a minute is a number.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BudgetCheck, LimitBackend, RateCheck } from '../../src/limits/types.js';
import { bucketMsOf } from '../../src/limits/window.js';

export interface LimitsFixture {
  backend: LimitBackend;
  /** Another backend on the same counters (a second replica); the same one in process. */
  peer: LimitBackend;
  cleanup(): Promise<void>;
}

const T0 = 1_800_000_000_000;
const rpm = (id: string, limit: number, cost = 1): RateCheck => ({
  id,
  limit,
  windowMs: 60_000,
  cost,
});
const budget = (id: string, limit: number): BudgetCheck => ({
  id,
  limitMicroUsd: limit,
  expiresAtMs: T0 + 86_400_000,
});

export function runLimitsContract(name: string, make: () => Promise<LimitsFixture>): void {
  describe(`limit backend contract: ${name}`, () => {
    let fx: LimitsFixture;
    let b: LimitBackend;
    beforeEach(async () => {
      fx = await make();
      b = fx.backend;
    });
    afterEach(() => fx.cleanup());

    describe('rate', () => {
      it('admits exactly the limit in a sliding window, then tells how long to wait', async () => {
        const results = [];
        for (let i = 0; i < 4; i++)
          results.push(await b.consumeRate([rpm('r', 3)], T0 + i * 1000, `q${i}`));
        expect(results.map((r) => r.ok)).toEqual([true, true, true, false]);
        const refused = results[3];
        expect(refused?.ok === false && refused.retryAfterMs).toBe(57_000);
        expect(results[2]?.states[0]).toEqual({ limit: 3, remaining: 0, resetMs: 58_000 });
        expect((await b.consumeRate([rpm('r', 3)], T0 + 59_999, 'q5')).ok).toBe(false);
        expect((await b.consumeRate([rpm('r', 3)], T0 + 60_000, 'q6')).ok).toBe(true);
        expect((await b.consumeRate([rpm('r', 3)], T0 + 60_001, 'q7')).ok).toBe(false);
      });

      it('charges all counters or none', async () => {
        expect((await b.consumeRate([rpm('a', 5), rpm('b', 1)], T0, 'q1')).ok).toBe(true);
        const refused = await b.consumeRate([rpm('a', 5), rpm('b', 1)], T0, 'q2');
        expect(refused.ok === false && refused.index).toBe(1);
        const a = await b.consumeRate([rpm('a', 5)], T0, 'q3');
        expect(a.ok && a.states[0]?.remaining).toBe(3);
      });

      it('weighs token costs and refuses one that can never fit', async () => {
        expect((await b.consumeRate([rpm('t', 1000, 600)], T0, 'q1')).ok).toBe(true);
        expect((await b.consumeRate([rpm('t', 1000, 500)], T0 + 1, 'q2')).ok).toBe(false);
        expect((await b.consumeRate([rpm('t', 1000, 400)], T0 + 2, 'q3')).ok).toBe(true);
        const huge = await b.consumeRate([rpm('t2', 1000, 1001)], T0, 'q4');
        expect(huge.ok === false && huge.retryAfterMs).toBe(60_000);
      });

      it('never admits more than the limit under concurrency, across replicas', async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.integer({ min: 1, max: 40 }),
            fc.integer({ min: 1, max: 80 }),
            async (limit, n) => {
              const id = `p:${limit}:${n}:${Math.random()}`;
              const results = await Promise.all(
                Array.from({ length: n }, (_, i) =>
                  (i % 2 === 0 ? b : fx.peer).consumeRate([rpm(id, limit)], T0, `q${i}`),
                ),
              );
              expect(results.filter((r) => r.ok)).toHaveLength(Math.min(limit, n));
            },
          ),
          { numRuns: 15 },
        );
      });
      it('decides as an exact sliding window of 99 % to 100 % of its length (simulated clock)', async () => {
        // Arrivals from a burst within one sub-bucket to gaps longer than the window, with
        // costs from 1 to a third of the limit, against an exact log of what was admitted.
        const op = fc.record({
          gapMs: fc.oneof(
            fc.integer({ min: 0, max: 20 }),
            fc.integer({ min: 0, max: 2_000 }),
            fc.integer({ min: 0, max: 90_000 }),
          ),
          cost: fc.integer({ min: 1, max: 40 }),
        });
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(1_000, 60_000, 150_001),
            fc.integer({ min: 1, max: 120 }),
            fc.array(op, { minLength: 1, maxLength: 150 }),
            async (windowMs, limit, ops) => {
              const id = `x:${windowMs}:${limit}:${Math.random()}`;
              const edgeMs = bucketMsOf(windowMs);
              expect(edgeMs).toBeLessThanOrEqual(windowMs / 100);
              const admitted: { t: number; cost: number }[] = [];
              const inWindow = (t: number, lengthMs: number) =>
                admitted.filter((a) => a.t > t - lengthMs).reduce((n, a) => n + a.cost, 0);
              let t = T0;
              for (const [i, { gapMs, cost }] of ops.entries()) {
                t += gapMs;
                const full = inWindow(t, windowMs);
                const inner = inWindow(t, windowMs - edgeMs);
                const out = await b.consumeRate([{ id, limit, windowMs, cost }], t, `q${i}`);
                const state = out.states[0];
                if (out.ok) {
                  // Counted before this request: between the two exact sums.
                  const counted = limit - (state?.remaining ?? 0) - cost;
                  expect(counted).toBeGreaterThanOrEqual(inner);
                  expect(counted).toBeLessThanOrEqual(full);
                  expect(inner + cost).toBeLessThanOrEqual(limit);
                  admitted.push({ t, cost });
                } else {
                  expect(full + cost).toBeGreaterThan(limit);
                  const counted = limit - (state?.remaining ?? 0);
                  if (counted < limit) {
                    expect(counted).toBeGreaterThanOrEqual(inner);
                    expect(counted).toBeLessThanOrEqual(full);
                  }
                  expect(out.retryAfterMs).toBeGreaterThan(0);
                  expect(out.retryAfterMs).toBeLessThanOrEqual(windowMs);
                }
              }
            },
          ),
          { numRuns: 40 },
        );
      });

      it('holds a steady overload to the limit per window, within 1 %', async () => {
        // 10 requests a second for four minutes against 300 a minute: an exact window admits
        // 1,200; sub-buckets may let a unit leave up to 1 % early, never late.
        let admitted = 0;
        for (let i = 0; i < 2_400; i++) {
          const out = await b.consumeRate([rpm('steady', 300)], T0 + i * 100, `q${i}`);
          if (out.ok) admitted++;
        }
        expect(admitted).toBeGreaterThanOrEqual(1_200);
        expect(admitted).toBeLessThanOrEqual(1_212);
      }, 30_000);
    });

    describe('slots', () => {
      it('holds at most the limit, frees on release, and expires leases', async () => {
        const c = [{ id: 's', limit: 2 }];
        expect(await b.acquireSlots(c, 'l1', T0, 1000)).toEqual({ ok: true });
        expect(await fx.peer.acquireSlots(c, 'l2', T0, 1000)).toEqual({ ok: true });
        expect(await b.acquireSlots(c, 'l3', T0, 1000)).toEqual({ ok: false, index: 0 });
        await b.releaseSlots(['s'], 'l1');
        expect(await b.acquireSlots(c, 'l3', T0, 1000)).toEqual({ ok: true });
        expect(await b.acquireSlots(c, 'l4', T0 + 1000, 1000)).toEqual({ ok: true });
      });

      it('takes a slot on every counter or none', async () => {
        await b.acquireSlots([{ id: 'y', limit: 1 }], 'l0', T0, 1000);
        const both = [
          { id: 'x', limit: 1 },
          { id: 'y', limit: 1 },
        ];
        expect(await b.acquireSlots(both, 'l1', T0, 1000)).toEqual({ ok: false, index: 1 });
        expect(await b.acquireSlots([{ id: 'x', limit: 1 }], 'l2', T0, 1000)).toEqual({ ok: true });
      });
    });

    describe('admission (rate windows, slots and a reservation in one step)', () => {
      const admission = (
        id: string,
        nowMs: number,
        limits: { rpm: number; cc: number; usd: number },
      ) => ({
        rates: [rpm('rl:key:k1:rpm', limits.rpm)],
        slots: [{ id: 'cc:key:k1', limit: limits.cc }],
        budgets: [budget('b:key:k1:m1', 1_000_000), budget('b:team:t1:m1', limits.usd)],
        id,
        amountMicroUsd: 100,
        nowMs,
        leaseTtlMs: 60_000,
      });

      it('takes everything or nothing, and reports the first refusal by kind and index', async () => {
        const roomy = { rpm: 10, cc: 10, usd: 150 };
        const first = await b.admit(admission('q1', T0, roomy));
        expect(first).toEqual({ ok: true, rates: [{ limit: 10, remaining: 9, resetMs: 60_000 }] });
        // The team budget has 50 left: refused there, so no rate unit, slot or key reservation.
        const refused = await fx.peer.admit(admission('q2', T0 + 1, roomy));
        expect(refused).toEqual({
          ok: false,
          refused: 'budget',
          budget: { ok: false, index: 1, spentMicroUsd: 0, reservedMicroUsd: 100 },
        });
        const rate = await b.consumeRate([rpm('rl:key:k1:rpm', 10)], T0 + 2, 'q3');
        expect(rate.ok && rate.states[0]?.remaining).toBe(8);
        expect(await b.acquireSlots([{ id: 'cc:key:k1', limit: 2 }], 'q4', T0 + 2, 1000)).toEqual({
          ok: true,
        });
        expect(await b.totals(['b:key:k1:m1', 'b:team:t1:m1'])).toEqual([
          { spentMicroUsd: 0, reservedMicroUsd: 100 },
          { spentMicroUsd: 0, reservedMicroUsd: 100 },
        ]);
        // Rate windows are checked before slots, and slots before budgets.
        const full = { rpm: 2, cc: 2, usd: 0 };
        const byRate = await b.admit(admission('q5', T0 + 3, full));
        expect(byRate.ok === false && byRate.refused).toBe('rate');
        const bySlot = await b.admit(admission('q6', T0 + 3, { ...full, rpm: 10 }));
        expect(bySlot).toEqual({ ok: false, refused: 'slot', index: 0 });
      });

      it('settles and releases what it took', async () => {
        const roomy = { rpm: 10, cc: 1, usd: 1_000 };
        expect((await b.admit(admission('q1', T0, roomy))).ok).toBe(true);
        expect(await fx.peer.admit(admission('q2', T0, roomy))).toEqual({
          ok: false,
          refused: 'slot',
          index: 0,
        });
        await fx.peer.releaseSlots(['cc:key:k1'], 'q1');
        const budgets = [budget('b:key:k1:m1', 1_000_000), budget('b:team:t1:m1', 1_000)];
        expect(await fx.peer.settle(budgets, 'q1', 30)).toEqual([
          { spentMicroUsd: 30, reservedMicroUsd: 0 },
          { spentMicroUsd: 30, reservedMicroUsd: 0 },
        ]);
        expect((await b.admit(admission('q3', T0 + 1, roomy))).ok).toBe(true);
      });
    });

    describe('budgets', () => {
      it('reserves up to the limit, settles to the real cost and refunds the rest', async () => {
        const c = [budget('b1', 100)];
        expect(await b.reserve(c, 'r1', 60, T0, 10_000)).toEqual({ ok: true });
        expect(await b.reserve(c, 'r2', 50, T0, 10_000)).toEqual({
          ok: false,
          index: 0,
          spentMicroUsd: 0,
          reservedMicroUsd: 60,
        });
        expect(await fx.peer.settle(c, 'r1', 20)).toEqual([
          { spentMicroUsd: 20, reservedMicroUsd: 0 },
        ]);
        expect(await b.reserve(c, 'r2', 80, T0, 10_000)).toEqual({ ok: true });
        expect(await b.settle(c, 'r2', 0)).toEqual([{ spentMicroUsd: 20, reservedMicroUsd: 0 }]);
        expect(await b.totals(['b1', 'nothing'])).toEqual([
          { spentMicroUsd: 20, reservedMicroUsd: 0 },
          { spentMicroUsd: 0, reservedMicroUsd: 0 },
        ]);
      });

      it('reserves on every budget or none, and names the one that refused', async () => {
        await b.addSpend(budget('g', 0), 90);
        const c = [budget('k', 1000), budget('g', 100)];
        const out = await b.reserve(c, 'r1', 20, T0, 10_000);
        expect(out).toEqual({ ok: false, index: 1, spentMicroUsd: 90, reservedMicroUsd: 0 });
        expect(await b.totals(['k'])).toEqual([{ spentMicroUsd: 0, reservedMicroUsd: 0 }]);
      });

      it("releases a dead replica's reservation when its lease expires", async () => {
        const c = [budget('b2', 100)];
        expect((await b.reserve(c, 'r1', 100, T0, 5_000)).ok).toBe(true);
        expect((await fx.peer.reserve(c, 'r2', 1, T0 + 4_999, 5_000)).ok).toBe(false);
        expect((await fx.peer.reserve(c, 'r2', 1, T0 + 5_000, 5_000)).ok).toBe(true);
        // A late settle still counts the money that was spent.
        expect(await b.settle(c, 'r1', 30)).toEqual([{ spentMicroUsd: 30, reservedMicroUsd: 1 }]);
      });

      it('never reserves past the limit under concurrency, across replicas', async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.integer({ min: 1, max: 50 }),
            fc.integer({ min: 1, max: 100 }),
            async (fits, n) => {
              const id = `pb:${fits}:${n}:${Math.random()}`;
              const c = [budget(id, fits * 7)];
              const results = await Promise.all(
                Array.from({ length: n }, (_, i) =>
                  (i % 2 === 0 ? b : fx.peer).reserve(c, `r${i}`, 7, T0, 60_000),
                ),
              );
              expect(results.filter((r) => r.ok)).toHaveLength(Math.min(fits, n));
            },
          ),
          { numRuns: 15 },
        );
      });
    });
  });
}
