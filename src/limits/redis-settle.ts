import { parseSettle } from './redis-args.js';
import type { BudgetTotals } from './types.js';

type Reply = (number | string)[];

interface PendingSettle {
  keys: string[];
  args: (string | number)[];
  order: number[];
  resolve: (totals: BudgetTotals[]) => void;
  reject: (err: unknown) => void;
}

const MAX_SETTLE_BATCH = 128;

/**
 * Settlements run after the last byte, off the request path, so they wait for the end of the
 * current event-loop turn and go to Redis together: one script call for every request that
 * finished in that turn, not one each. Each caller still gets its own budgets' new totals.
 */
export function createSettleBatcher(
  send: (keys: string[], args: (string | number)[]) => Promise<Reply>,
) {
  let queue: PendingSettle[] = [];
  let inFlight = 0;
  const waiters: (() => void)[] = [];

  function sendPart(part: PendingSettle[]): void {
    const keys = part.flatMap((p) => p.keys);
    const args = [keys.length, ...part.flatMap((p) => p.args)];
    inFlight++;
    send(keys, args)
      .then(
        (reply) => {
          let r = 0;
          for (const p of part) {
            p.resolve(parseSettle(reply.slice(r, r + 2 * p.order.length), p.order));
            r += 2 * p.order.length;
          }
        },
        (err: unknown) => {
          for (const p of part) p.reject(err);
        },
      )
      .finally(() => {
        if (--inFlight === 0 && queue.length === 0) for (const w of waiters.splice(0)) w();
      });
  }

  function flush(): void {
    const batch = queue;
    queue = [];
    for (let at = 0; at < batch.length; at += MAX_SETTLE_BATCH) {
      sendPart(batch.slice(at, at + MAX_SETTLE_BATCH));
    }
  }

  return {
    add(keys: string[], args: (string | number)[], order: number[]): Promise<BudgetTotals[]> {
      return new Promise((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush);
        queue.push({ keys, args, order, resolve, reject });
      });
    },
    /** Resolves once every queued settlement has been answered. */
    idle(): Promise<void> {
      if (queue.length === 0 && inFlight === 0) return Promise.resolve();
      return new Promise((resolve) => {
        waiters.push(resolve);
      });
    },
  };
}
