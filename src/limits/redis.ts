import { Redis } from 'ioredis';
import { GatewayError } from '../errors/gateway-error.js';
import {
  ACQUIRE_SCRIPT,
  RATE_SCRIPT,
  RELEASE_SCRIPT,
  RESERVE_SCRIPT,
  SETTLE_SCRIPT,
} from './redis-scripts.js';
import {
  subjectOf,
  type BudgetCheck,
  type BudgetTotals,
  type LimitBackend,
  type RateCheck,
  type RateOutcome,
  type RateState,
  type ReserveOutcome,
} from './types.js';

export interface RedisLimitOptions {
  /** May hold a password: handed to ioredis, never logged. */
  url: string;
  keyPrefix: string;
  commandTimeoutMs: number;
}

type Reply = (number | string)[];

interface ScriptedRedis extends Redis {
  bastionRate(numKeys: number, ...args: (string | number)[]): Promise<Reply>;
  bastionAcquire(numKeys: number, ...args: (string | number)[]): Promise<Reply>;
  bastionRelease(numKeys: number, ...args: (string | number)[]): Promise<number>;
  bastionReserve(numKeys: number, ...args: (string | number)[]): Promise<Reply>;
  bastionSettle(numKeys: number, ...args: (string | number)[]): Promise<Reply>;
}

/**
 * Counters shared by every replica, in Redis. Fails closed: with no connection, commands fail
 * at once (no offline queue) and a slow one times out, both as `limits_unavailable`; ioredis
 * keeps reconnecting, so service resumes by itself when Redis is back.
 */
export function createRedisLimitBackend(opts: RedisLimitOptions): LimitBackend & {
  /** Resolves once connected, or after `timeoutMs` either way. */
  waitReady(timeoutMs: number): Promise<void>;
} {
  // Long by design: one short method per LimitBackend operation, all over one connection.
  const redis = new Redis(opts.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: opts.commandTimeoutMs,
    connectTimeout: Math.max(1_000, opts.commandTimeoutMs),
    retryStrategy: (times) => Math.min(50 * times, 1_000),
    lazyConnect: false,
  }) as ScriptedRedis;
  // Without a listener ioredis logs every failed reconnect; failures surface per call instead.
  redis.on('error', () => undefined);
  redis.defineCommand('bastionRate', { lua: RATE_SCRIPT });
  redis.defineCommand('bastionAcquire', { lua: ACQUIRE_SCRIPT });
  redis.defineCommand('bastionRelease', { lua: RELEASE_SCRIPT });
  redis.defineCommand('bastionReserve', { lua: RESERVE_SCRIPT });
  redis.defineCommand('bastionSettle', { lua: SETTLE_SCRIPT });

  // One hash tag per subject (`types.ts`, `subjectOf`): a Redis Cluster spreads subjects.
  const k = (id: string) => `${opts.keyPrefix}:{${subjectOf(id)}}:${id}`;
  const settlements = createSettleBatcher((keys, args) =>
    redis.bastionSettle(keys.length, ...keys, ...args),
  );

  async function call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new GatewayError('limits_unavailable', { cause: err });
    }
  }

  return {
    kind: 'redis',

    waitReady(timeoutMs: number) {
      if (redis.status === 'ready') return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        function done() {
          clearTimeout(timer);
          redis.off('ready', done);
          resolve();
        }
        redis.once('ready', done);
      });
    },

    consumeRate(checks: readonly RateCheck[], nowMs: number) {
      return call(async () => {
        const args: (string | number)[] = [nowMs];
        for (const c of checks) args.push(c.windowMs, c.limit, c.cost);
        const reply = await redis.bastionRate(
          checks.length,
          ...checks.map((c) => k(c.id)),
          ...args,
        );
        return parseRate(reply, checks);
      });
    },

    acquireSlots(checks, leaseId, nowMs, leaseTtlMs) {
      return call(async () => {
        const args = [
          nowMs,
          leaseId,
          nowMs + leaseTtlMs,
          leaseTtlMs,
          ...checks.map((c) => c.limit),
        ];
        const reply = await redis.bastionAcquire(
          checks.length,
          ...checks.map((c) => k(c.id)),
          ...args,
        );
        return reply[0] === 1 ? { ok: true } : { ok: false, index: Number(reply[1]) - 1 };
      });
    },

    releaseSlots(ids, leaseId) {
      return call(async () => {
        if (ids.length > 0) await redis.bastionRelease(ids.length, ...ids.map(k), leaseId);
      });
    },

    reserve(checks, reservationId, amount, nowMs, leaseTtlMs): Promise<ReserveOutcome> {
      return call(async () => {
        const args: (string | number)[] = [nowMs, reservationId, amount, nowMs + leaseTtlMs];
        for (const c of checks) args.push(c.limitMicroUsd, c.expiresAtMs);
        const reply = await redis.bastionReserve(
          checks.length,
          ...checks.map((c) => k(c.id)),
          ...args,
        );
        if (reply[0] === 1) return { ok: true };
        return {
          ok: false,
          index: Number(reply[1]) - 1,
          spentMicroUsd: Number(reply[2]),
          reservedMicroUsd: Number(reply[3]),
        };
      });
    },

    settle(checks, reservationId, actual) {
      return call(() =>
        settlements.add(
          checks.map((c) => k(c.id)),
          [checks.length, reservationId, actual, ...checks.map((c) => c.expiresAtMs)],
        ),
      );
    },

    totals(ids) {
      return call(async () => {
        if (ids.length === 0) return [];
        const pipeline = redis.pipeline();
        for (const id of ids) pipeline.hmget(k(id), 'spent', 'reserved');
        const results = (await pipeline.exec()) ?? [];
        return results.map(([err, value]) => {
          if (err) throw err;
          const [spent, reserved] = value as (string | null)[];
          return { spentMicroUsd: Number(spent ?? 0), reservedMicroUsd: Number(reserved ?? 0) };
        });
      });
    },

    addSpend(check: BudgetCheck, amount: number) {
      return call(async () => {
        await redis
          .multi()
          .hincrby(k(check.id), 'spent', amount)
          .pexpireat(k(check.id), check.expiresAtMs)
          .exec();
      });
    },

    ping() {
      return call(async () => {
        await redis.ping();
      });
    },

    async close() {
      await settlements.idle();
      redis.disconnect();
    },
  };
}

function parseRate(reply: Reply, checks: readonly RateCheck[]): RateOutcome {
  if (reply[0] === 0) {
    const index = Number(reply[1]) - 1;
    const check = checks[index] as RateCheck;
    const retryAfterMs = Math.max(1, Number(reply[2]));
    const state: RateState = {
      limit: check.limit,
      remaining: Math.max(0, check.limit - Number(reply[3])),
      resetMs: retryAfterMs,
    };
    return { ok: false, index, retryAfterMs, states: [state] };
  }
  const states: RateState[] = checks.map((c, i) => ({
    limit: c.limit,
    remaining: c.limit - Number(reply[1 + 2 * i]),
    resetMs: Number(reply[2 + 2 * i]),
  }));
  return { ok: true, states };
}

function pairs(reply: Reply): BudgetTotals[] {
  const out: BudgetTotals[] = [];
  for (let i = 0; i < reply.length; i += 2) {
    out.push({ spentMicroUsd: Number(reply[i]), reservedMicroUsd: Number(reply[i + 1]) });
  }
  return out;
}

interface PendingSettle {
  keys: string[];
  args: (string | number)[];
  resolve: (totals: BudgetTotals[]) => void;
  reject: (err: unknown) => void;
}

const MAX_SETTLE_BATCH = 128;

/**
 * Settlements run after the last byte, off the request path, so they wait for the end of the
 * current event-loop turn and go to Redis together: one script call for every request that
 * finished in that turn, not one each. Each caller still gets its own budgets' new totals.
 */
function createSettleBatcher(send: (keys: string[], args: (string | number)[]) => Promise<Reply>) {
  let queue: PendingSettle[] = [];
  let inFlight = 0;
  const waiters: (() => void)[] = [];

  function flush(): void {
    const batch = queue;
    queue = [];
    for (let at = 0; at < batch.length; at += MAX_SETTLE_BATCH) {
      const part = batch.slice(at, at + MAX_SETTLE_BATCH);
      const keys = part.flatMap((p) => p.keys);
      const args = [part.length, ...part.flatMap((p) => p.args)];
      inFlight++;
      send(keys, args)
        .then(
          (reply) => {
            let r = 0;
            for (const p of part) {
              p.resolve(pairs(reply.slice(r, r + 2 * p.keys.length)));
              r += 2 * p.keys.length;
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
  }

  return {
    add(keys: string[], args: (string | number)[]): Promise<BudgetTotals[]> {
      return new Promise((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush);
        queue.push({ keys, args, resolve, reject });
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
