import { Redis } from 'ioredis';
import { GatewayError } from '../errors/gateway-error.js';
import { ADMIT_SCRIPT, RELEASE_SCRIPT, SETTLE_SCRIPT } from './redis-scripts.js';
import { admitArgs, parseAdmit, parseSettle, settleArgs } from './redis-args.js';
import { createBatcher } from './redis-batch.js';
import { viaAdmit } from './via-admit.js';
import { splitId, type AdmitRequest, type BudgetCheck, type LimitBackend } from './types.js';

export interface RedisLimitOptions {
  /** May hold a password: handed to ioredis, never logged. */
  url: string;
  keyPrefix: string;
  commandTimeoutMs: number;
}

type Reply = (number | string)[];

interface ScriptedRedis extends Redis {
  bastionAdmit(numKeys: number, ...args: (string | number)[]): Promise<Reply>;
  bastionRelease(numKeys: number, ...args: (string | number)[]): Promise<Reply>;
  bastionSettle(numKeys: number, ...args: (string | number)[]): Promise<Reply>;
}

/**
 * Counters shared by every replica, in Redis: one hash per subject (`redis-scripts.ts`), and one
 * script call per request on the request path (`admit`). Fails closed: with no connection,
 * commands fail at once (no offline queue) and a slow one times out, both as
 * `limits_unavailable`; ioredis keeps reconnecting, so service resumes by itself.
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
  redis.defineCommand('bastionAdmit', { lua: ADMIT_SCRIPT });
  redis.defineCommand('bastionRelease', { lua: RELEASE_SCRIPT });
  redis.defineCommand('bastionSettle', { lua: SETTLE_SCRIPT });

  const prefix = opts.keyPrefix;
  // After the last byte, batched.
  const settlements = createBatcher((keys, args) =>
    redis.bastionSettle(keys.length, ...keys, ...args),
  );
  const releases = createBatcher((keys, args) =>
    redis.bastionRelease(keys.length, ...keys, ...args),
  );

  async function call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new GatewayError('limits_unavailable', { cause: err });
    }
  }

  function admit(req: AdmitRequest) {
    return call(async () => {
      const { keys, args } = admitArgs(prefix, req);
      return parseAdmit(await redis.bastionAdmit(keys.length, ...keys, ...args), req);
    });
  }

  function settle(checks: readonly BudgetCheck[], reservationId: string, actual: number) {
    return call(async () => {
      const { keys, args, order } = settleArgs(prefix, checks, reservationId, actual);
      const reply = await settlements.add(keys, args, 2 * order.length);
      return parseSettle(reply, order);
    });
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

    admit,

    ...viaAdmit(admit),

    releaseSlots(ids, leaseId) {
      return call(async () => {
        const keys = [...new Set(ids.map((id) => `${prefix}:{${splitId(id).subject}}`))];
        if (keys.length > 0)
          await releases.add(
            keys,
            keys.map(() => `:c:${leaseId}`),
            0,
          );
      });
    },

    settle,

    totals(ids) {
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
      await Promise.all([settlements.idle(), releases.idle()]);
      redis.disconnect();
    },
  };
}
