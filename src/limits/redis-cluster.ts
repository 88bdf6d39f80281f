/**
 * Cluster mode of the Redis backend (`limits.redis.cluster`): on a Redis Cluster a script may
 * only touch keys of one hash slot, and each subject's counters share one (its hash tag), so a
 * request is admitted subject by subject, each step atomic on its shard, and what the earlier
 * subjects took is taken back when a later one refuses. docs/scale-out.md has the failure cases.
 */
import { GatewayError } from '../errors/gateway-error.js';
import { ADMISSION, RELEASE, SETTLEMENT, type createBatcher } from './redis-batch.js';
import {
  admitArgs,
  chargedBuckets,
  parseAdmit,
  parseSettle,
  rollbackArgs,
  settleArgs,
} from './redis-args.js';
import {
  splitId,
  type AdmitOutcome,
  type AdmitRequest,
  type BudgetCheck,
  type BudgetTotals,
  type RateState,
} from './types.js';

type Arg = string | number;
type Reply = (number | string)[];

/** A script call routed by its first key; the cluster client sends it to that key's shard. */
type Send = (keys: string[], args: Arg[]) => Promise<Reply>;

export interface ClusterDeps {
  prefix: string;
  /** The turn's batch (`redis-batch.ts`), grouped by subject: one script call per shard's slot. */
  batch: Pick<ReturnType<typeof createBatcher>, 'add'>;
  rollback: Send;
  hmget(key: string, fields: string[]): Promise<(string | null)[]>;
}

/** One subject's part of a request, with each counter's index in the whole request. */
interface Part {
  readonly subject: string;
  readonly req: AdmitRequest;
  readonly rates: number[];
  readonly slots: number[];
  readonly budgets: number[];
}

/**
 * Most specific first: a key's own limits refuse most often, and a refusal there leaves the
 * shared subjects (an environment, the global limits: one hash every request touches) untouched,
 * so they are charged and taken back least.
 */
const RANK: Record<string, number> = { key: 0, user: 1, team: 2, env: 3, global: 4 };

function rankOf(subject: string): number {
  const kind = subject.slice(0, subject.indexOf(':'));
  return RANK[kind] ?? 5;
}

/** The request cut per subject, in the fixed order (rank, then subject). */
export function partsOf(req: AdmitRequest): Part[] {
  const parts = new Map<string, Part>();
  const partOf = (id: string): Part => {
    const subject = splitId(id).subject;
    let part = parts.get(subject);
    if (part === undefined) {
      part = {
        subject,
        req: { ...req, rates: [], slots: [], budgets: [] },
        rates: [],
        slots: [],
        budgets: [],
      };
      parts.set(subject, part);
    }
    return part;
  };
  req.rates.forEach((c, i) => {
    const p = partOf(c.id);
    (p.req.rates as (typeof c)[]).push(c);
    p.rates.push(i);
  });
  req.slots.forEach((c, i) => {
    const p = partOf(c.id);
    (p.req.slots as (typeof c)[]).push(c);
    p.slots.push(i);
  });
  req.budgets.forEach((c, i) => {
    const p = partOf(c.id);
    (p.req.budgets as (typeof c)[]).push(c);
    p.budgets.push(i);
  });
  return [...parts.values()].sort(
    (a, b) =>
      rankOf(a.subject) - rankOf(b.subject) ||
      (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0),
  );
}

/** A subject's refusal, its indexes made the whole request's. */
function inRequest(out: Exclude<AdmitOutcome, { ok: true }>, part: Part): AdmitOutcome {
  switch (out.refused) {
    case 'rate':
      return { ...out, rate: { ...out.rate, index: part.rates[out.rate.index] as number } };
    case 'slot':
      return { ...out, index: part.slots[out.index] as number };
    case 'budget':
      return { ...out, budget: { ...out.budget, index: part.budgets[out.budget.index] as number } };
  }
}

function unavailable(err: unknown): GatewayError {
  return err instanceof GatewayError ? err : new GatewayError('limits_unavailable', { cause: err });
}

export function createClusterOps(deps: ClusterDeps) {
  // Long by design: one short function per backend operation, over the same deps.
  const { prefix } = deps;

  /**
   * Takes back what the subjects admitted so far took, at once on their shards. Best effort: a
   * roll-back that fails leaves the charge, which errs towards refusing (leases expire with
   * `leaseTtlSec`, units when they leave the window).
   */
  async function rollBack(taken: readonly { part: Part; buckets: number[] }[]): Promise<void> {
    await Promise.allSettled(
      taken.map(async ({ part, buckets }) => {
        const call = rollbackArgs(prefix, part.req, buckets);
        if (call !== undefined) await deps.rollback(call.keys, call.args);
      }),
    );
  }

  async function admit(req: AdmitRequest): Promise<AdmitOutcome> {
    const parts = partsOf(req);
    const states: RateState[] = new Array<RateState>(req.rates.length);
    const taken: { part: Part; buckets: number[] }[] = [];
    for (const part of parts) {
      const { keys, args } = admitArgs(prefix, part.req);
      let reply: Reply;
      try {
        reply = await deps.batch.add(ADMISSION, keys, args, part.subject);
      } catch (err) {
        // This subject's leases are named by the request id, so dropping them is safe whether
        // or not its script ran (not awaited: its shard is likely the one not answering); its
        // rate units, if it ran, stay counted: towards refusing.
        void rollBack([{ part, buckets: part.req.rates.map(() => -1) }]);
        await rollBack(taken);
        throw unavailable(err);
      }
      const out = parseAdmit(reply, part.req);
      if (!out.ok) {
        await rollBack(taken);
        return inRequest(out, part);
      }
      taken.push({ part, buckets: chargedBuckets(reply, part.req) });
      out.rates.forEach((state, i) => {
        states[part.rates[i] as number] = state;
      });
    }
    return { ok: true, rates: states };
  }

  async function settle(
    checks: readonly BudgetCheck[],
    reservationId: string,
    actual: number,
  ): Promise<BudgetTotals[]> {
    const out = new Array<BudgetTotals>(checks.length);
    const parts = partsOf({
      rates: [],
      slots: [],
      budgets: checks,
      id: reservationId,
      amountMicroUsd: 0,
      nowMs: 0,
      leaseTtlMs: 0,
    });
    try {
      await Promise.all(
        parts.map(async (part) => {
          const { keys, args, order } = settleArgs(prefix, part.req.budgets, reservationId, actual);
          const reply = await deps.batch.add(
            SETTLEMENT,
            keys,
            [keys.length, ...args],
            part.subject,
          );
          parseSettle(reply, order).forEach((totals, i) => {
            out[part.budgets[i] as number] = totals;
          });
        }),
      );
    } catch (err) {
      throw unavailable(err);
    }
    return out;
  }

  async function releaseSlots(ids: readonly string[], leaseId: string): Promise<void> {
    const subjects = new Set(ids.map((id) => splitId(id).subject));
    try {
      await Promise.all(
        [...subjects].map((subject) =>
          deps.batch.add(RELEASE, [`${prefix}:{${subject}}`], [1, `:c:${leaseId}`], subject),
        ),
      );
    } catch (err) {
      throw unavailable(err);
    }
  }

  /** One HMGET per counter: a cluster pipeline may only hold keys of one shard. */
  async function totals(ids: readonly string[]): Promise<BudgetTotals[]> {
    try {
      return await Promise.all(
        ids.map(async (id) => {
          const { subject, field } = splitId(id);
          const [spent, reserved] = await deps.hmget(`${prefix}:{${subject}}`, [
            field,
            `${field}.r`,
          ]);
          return { spentMicroUsd: Number(spent ?? 0), reservedMicroUsd: Number(reserved ?? 0) };
        }),
      );
    } catch (err) {
      throw unavailable(err);
    }
  }

  return { admit, settle, releaseSlots, totals };
}
