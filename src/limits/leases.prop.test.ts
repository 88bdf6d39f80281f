import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LeaseSet } from './leases.js';

type Op =
  | { kind: 'add'; id: number; amount: number; expiresAtMs: number }
  | { kind: 'take'; id: number }
  | { kind: 'expire'; nowMs: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('add' as const),
    id: fc.integer({ min: 0, max: 9 }),
    amount: fc.integer({ min: 0, max: 100 }),
    expiresAtMs: fc.integer({ min: 0, max: 1_000 }),
  }),
  fc.record({ kind: fc.constant('take' as const), id: fc.integer({ min: 0, max: 9 }) }),
  // Clocks of several replicas: time may go back.
  fc.record({ kind: fc.constant('expire' as const), nowMs: fc.integer({ min: 0, max: 1_000 }) }),
);

describe('LeaseSet', () => {
  it('drops exactly the leases a full scan would, whatever was released before', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const set = new LeaseSet();
        const naive = new Map<string, { amount: number; expiresAtMs: number }>();
        for (const o of ops) {
          if (o.kind === 'add') {
            const lease = { amount: o.amount, expiresAtMs: o.expiresAtMs };
            set.add(String(o.id), lease);
            naive.set(String(o.id), lease);
          } else if (o.kind === 'take') {
            expect(set.take(String(o.id))).toEqual(naive.get(String(o.id)));
            naive.delete(String(o.id));
          } else {
            let freed = 0;
            for (const [id, l] of naive) {
              if (l.expiresAtMs > o.nowMs) continue;
              freed += l.amount;
              naive.delete(id);
            }
            expect(set.expire(o.nowMs)).toBe(freed);
          }
          expect(set.size).toBe(naive.size);
        }
      }),
    );
  });
});
