/**
 * The arguments of the Redis scripts (`redis-scripts.ts`), built here so the scripts do no
 * string work per request: field names, HMGET lists and reservation values come ready-made.
 */
import {
  splitId,
  type AdmitOutcome,
  type AdmitRequest,
  type BudgetCheck,
  type BudgetTotals,
  type RateCheck,
  type RateState,
  type SlotCheck,
} from './types.js';

type Arg = string | number;
type Reply = (number | string)[];

interface Hash {
  readonly index: number;
  readonly fields: string[];
}

/** The subject hashes of one call, numbered in KEYS order, each with its HMGET field list. */
function hashTable(prefix: string) {
  const hashes = new Map<string, Hash>();
  const keys: string[] = [];
  return {
    keys,
    hashes,
    of(subject: string): Hash {
      let h = hashes.get(subject);
      if (h === undefined) {
        keys.push(`${prefix}:{${subject}}`);
        h = { index: keys.length, fields: [':x', ':nx'] };
        hashes.set(subject, h);
      }
      return h;
    },
  };
}

/** Slot counters or budgets grouped by subject, each with its original index. */
function bySubject<C extends { id: string }>(checks: readonly C[]) {
  const groups = new Map<string, { field: string; index: number; check: C }[]>();
  checks.forEach((check, index) => {
    const { subject, field } = splitId(check.id);
    let group = groups.get(subject);
    if (group === undefined) groups.set(subject, (group = []));
    group.push({ field, index, check });
  });
  return groups;
}

/**
 * The leases of one kind, per subject: a slot holds 1 on each slot counter (`<f>`), a
 * reservation its amount on each budget's reserved total (`<f>.r`, after the spend `<f>`).
 */
function leaseArgs(
  table: ReturnType<typeof hashTable>,
  groups: Map<string, { field: string; index: number; check: SlotCheck | BudgetCheck }[]>,
  lease: (counters: string) => string,
): Arg[] {
  const out: Arg[] = [groups.size];
  for (const [subject, counters] of groups) {
    const h = table.of(subject);
    const held = counters.map((c) => ('limit' in c.check ? c.field : `${c.field}.r`));
    out.push(h.index, lease(held.join(',')), counters.length);
    for (const c of counters) {
      const isSlot = 'limit' in c.check;
      h.fields.push(c.field);
      if (!isSlot) h.fields.push(`${c.field}.r`);
      const limit = 'limit' in c.check ? c.check.limit : c.check.limitMicroUsd;
      const keep = 'limit' in c.check ? 0 : c.check.expiresAtMs;
      out.push(c.index + 1, h.fields.length - (isSlot ? 0 : 1), c.field, limit, keep);
    }
  }
  return out;
}

export function admitArgs(prefix: string, req: AdmitRequest): { keys: string[]; args: Arg[] } {
  const table = hashTable(prefix);
  const rates: { h: Hash; field: string; ring: string; check: RateCheck }[] = [];
  for (const c of req.rates) {
    const { subject, field } = splitId(c.id);
    const h = table.of(subject);
    h.fields.push(field);
    rates.push({ h, field, ring: `${prefix}:{${subject}}:${field}`, check: c });
  }
  // Whole milliseconds: the script reads the lease back as integers.
  const expiry = Math.ceil(req.nowMs + req.leaseTtlMs);
  const slotArgs = leaseArgs(table, bySubject(req.slots), (counters) => `1|${expiry}|${counters}`);
  const budgetArgs = leaseArgs(
    table,
    bySubject(req.budgets),
    (counters) => `${req.amountMicroUsd}|${expiry}|${counters}`,
  );
  const keys = table.keys;
  const rateArgs: Arg[] = [rates.length];
  for (const { h, field, ring, check: c } of rates) {
    keys.push(ring);
    rateArgs.push(
      h.index,
      h.fields.indexOf(field) + 1,
      keys.length,
      field,
      c.windowMs,
      c.limit,
      c.cost,
    );
  }
  const args: Arg[] = [
    req.nowMs,
    `:r:${req.id}`,
    `:c:${req.id}`,
    expiry,
    req.leaseTtlMs,
    req.amountMicroUsd,
    table.hashes.size,
  ];
  for (const h of table.hashes.values()) args.push(h.fields.length, ...h.fields);
  args.push(...rateArgs, ...slotArgs, ...budgetArgs);
  return { keys, args };
}

export function parseAdmit(reply: Reply, req: AdmitRequest): AdmitOutcome {
  if (reply[0] === 1) {
    const rates: RateState[] = req.rates.map((c, i) => ({
      limit: c.limit,
      remaining: c.limit - Number(reply[1 + 2 * i]),
      resetMs: Number(reply[2 + 2 * i]),
    }));
    return { ok: true, rates };
  }
  const index = Number(reply[2]) - 1;
  if (reply[1] === 1) {
    const check = req.rates[index] as RateCheck;
    const retryAfterMs = Math.max(1, Number(reply[3]));
    const state = {
      limit: check.limit,
      remaining: Math.max(0, check.limit - Number(reply[4])),
      resetMs: retryAfterMs,
    };
    return {
      ok: false,
      refused: 'rate',
      rate: { ok: false, index, retryAfterMs, states: [state] },
    };
  }
  if (reply[1] === 2) return { ok: false, refused: 'slot', index };
  return {
    ok: false,
    refused: 'budget',
    budget: {
      ok: false,
      index,
      spentMicroUsd: Number(reply[3]),
      reservedMicroUsd: Number(reply[4]),
    },
  };
}

/**
 * One settlement's part of a batch: a KEYS entry per subject hash, its arguments, and for each
 * window the reply follows, the index of its budget among `checks`.
 */
export function settleArgs(
  prefix: string,
  checks: readonly BudgetCheck[],
  reservationId: string,
  actual: number,
): { keys: string[]; args: Arg[]; order: number[] } {
  const keys: string[] = [];
  const args: Arg[] = [];
  const order: number[] = [];
  for (const [subject, windows] of bySubject(checks)) {
    keys.push(`${prefix}:{${subject}}`);
    args.push(`:r:${reservationId}`, actual, windows.length);
    for (const w of windows) {
      args.push(w.field, `${w.field}.r`, w.check.expiresAtMs);
      order.push(w.index);
    }
  }
  return { keys, args, order };
}

/** A settlement's totals from its slice of the batch reply, back in `checks` order. */
export function parseSettle(reply: Reply, order: readonly number[]): BudgetTotals[] {
  const out: BudgetTotals[] = new Array<BudgetTotals>(order.length);
  order.forEach((index, i) => {
    out[index] = {
      spentMicroUsd: Number(reply[2 * i]),
      reservedMicroUsd: Number(reply[2 * i + 1]),
    };
  });
  return out;
}

/** The sub-bucket each rate window's cost went to (-1 for none), from an admission's reply. */
export function chargedBuckets(reply: Reply, req: AdmitRequest): number[] {
  const from = 1 + 2 * req.rates.length;
  return req.rates.map((_, i) => Number(reply[from + i]));
}

/** What a subject's admission took, to take it back (`ROLLBACK_SCRIPT`). */
export function rollbackArgs(
  prefix: string,
  req: AdmitRequest,
  buckets: readonly number[],
): { keys: string[]; args: Arg[] } | undefined {
  const keys: string[] = [];
  const windows: Arg[] = [];
  req.rates.forEach((c, i) => {
    const bucket = buckets[i] ?? -1;
    if (bucket < 0 || c.cost <= 0) return;
    const { subject, field } = splitId(c.id);
    if (keys.length === 0) keys.push(`${prefix}:{${subject}}`);
    keys.push(`${prefix}:{${subject}}:${field}`);
    windows.push(field, keys.length, bucket, c.cost, c.windowMs);
  });
  if (keys.length === 0) {
    const first = req.slots[0] ?? req.budgets[0];
    if (first === undefined) return undefined;
    keys.push(`${prefix}:{${splitId(first.id).subject}}`);
  }
  return { keys, args: [`:r:${req.id}`, `:c:${req.id}`, windows.length / 5, ...windows] };
}
