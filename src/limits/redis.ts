import type { Cluster, Redis } from 'ioredis';
import { GatewayError } from '../errors/gateway-error.js';
import { BATCH_SCRIPT, ROLLBACK_SCRIPT } from './redis-scripts.js';
import { admitArgs, parseAdmit, parseSettle, settleArgs } from './redis-args.js';
import { ADMISSION, RELEASE, SETTLEMENT, createBatcher } from './redis-batch.js';
import { connectRedis } from './redis-client.js';
import { createClusterOps } from './redis-cluster.js';
import { viaAdmit } from './via-admit.js';
import { splitId, type AdmitRequest, type BudgetCheck, type LimitBackend } from './types.js';

export interface RedisLimitOptions {
  /** May hold a password: handed to ioredis, never logged. In cluster mode, seed node URLs, comma-separated. */
  url: string;
  keyPrefix: string;
  commandTimeoutMs: number;
  /** A Redis Cluster: each subject's admission runs on its own shard (`redis-cluster.ts`). */
  cluster?: boolean;
}

type Reply = (number | string)[];
type Script = (numKeys: number, ...args: (string | number)[]) => Promise<Reply>;

type ScriptedRedis = (Redis | Cluster) & {
  bastionBatch: (numKeys: number, ...args: (string | number)[]) => Promise<Reply[]>;
  bastionRollback: Script;
};

/**
 * Counters shared by every replica, in Redis: one hash per subject (`redis-scripts.ts`), and one
 * script call per request on the request path (`admit`), or one per subject on a Redis Cluster,
 * shared with every other call of the same event-loop turn (`redis-batch.ts`).
 * Fails closed: with no connection, commands fail at once (no offline queue) and a slow one
 * times out, both as `limits_unavailable`; ioredis keeps reconnecting, so service resumes by
 * itself.
 */
export function createRedisLimitBackend(opts: RedisLimitOptions): LimitBackend & {
  /** Resolves once connected, or after `timeoutMs` either way. */
  waitReady(timeoutMs: number): Promise<void>;
} {
  // Long by design: one short method per LimitBackend operation, all over one connection.
  const redis = connectRedis({
    url: opts.url,
    commandTimeoutMs: opts.commandTimeoutMs,
    cluster: opts.cluster === true,
  }) as ScriptedRedis;
  redis.defineCommand('bastionBatch', { lua: BATCH_SCRIPT });
  redis.defineCommand('bastionRollback', { lua: ROLLBACK_SCRIPT });

  const prefix = opts.keyPrefix;
  // Admissions, settlements and releases of one event-loop turn: one script call.
  const batch = createBatcher((keys, args) => redis.bastionBatch(keys.length, ...keys, ...args));

  async function call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new GatewayError('limits_unavailable', { cause: err });
    }
  }

  function admitOne(req: AdmitRequest) {
    return call(async () => {
      const { keys, args } = admitArgs(prefix, req);
      return parseAdmit(await batch.add(ADMISSION, keys, args), req);
    });
  }

  function settleOne(checks: readonly BudgetCheck[], reservationId: string, actual: number) {
    return call(async () => {
      const { keys, args, order } = settleArgs(prefix, checks, reservationId, actual);
      const reply = await batch.add(SETTLEMENT, keys, [keys.length, ...args]);
      return parseSettle(reply, order);
    });
  }

  const cluster =
    opts.cluster === true
      ? createClusterOps({
          prefix,
          batch,
          rollback: (keys, args) => redis.bastionRollback(keys.length, ...keys, ...args),
          hmget: (key, fields) => redis.hmget(key, ...fields),
        })
      : undefined;
  const admit = cluster?.admit ?? admitOne;
  const settle = cluster?.settle ?? settleOne;

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

    admit,

    ...viaAdmit(admit),

    releaseSlots(ids, leaseId) {
      if (cluster !== undefined) return cluster.releaseSlots(ids, leaseId);
      return call(async () => {
        const keys = [...new Set(ids.map((id) => `${prefix}:{${splitId(id).subject}}`))];
        if (keys.length > 0)
          await batch.add(RELEASE, keys, [keys.length, ...keys.map(() => `:c:${leaseId}`)]);
      });
    },

    settle,

    totals(ids) {
      if (cluster !== undefined) return cluster.totals(ids);
      return call(async () => {
        if (ids.length === 0) return [];
        const pipeline = redis.pipeline();
        for (const id of ids) {
          const { subject, field } = splitId(id);
          pipeline.hmget(`${prefix}:{${subject}}`, field, `${field}.r`);
        }
        const results = (await pipeline.exec()) ?? [];
        return results.map(([err, value]) => {
          if (err) throw err;
          const [spent, reserved] = value as (string | null)[];
          return { spentMicroUsd: Number(spent ?? 0), reservedMicroUsd: Number(reserved ?? 0) };
        });
      });
    },

    async addSpend(check: BudgetCheck, amount: number) {
      // A settlement of a reservation that does not exist adds the spend alone.
      await settle([check], '', amount);
    },

    ping() {
      return call(async () => {
        await redis.ping();
      });
    },

    async close() {
      await batch.idle();
      redis.disconnect();
    },
  };
}
