import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMISSION } from '../../src/limits/redis-batch.js';
import { createClusterOps } from '../../src/limits/redis-cluster.js';
import { BATCH_SCRIPT, ROLLBACK_SCRIPT } from '../../src/limits/redis-scripts.js';
import { createRedisLimitBackend } from '../../src/limits/redis.js';
import { startPrivateCluster, uniqueRedisPrefix, type PrivateCluster } from '../helpers/redis.js';
import { runLimitsContract } from './limits.contract.js';

/** The same contract as one Redis, on a three-shard Redis Cluster (`limits.redis.cluster`). */
let cluster: PrivateCluster;
beforeAll(async () => {
  cluster = await startPrivateCluster(3);
});
afterAll(() => cluster.close());

async function open(keyPrefix: string) {
  const backend = createRedisLimitBackend({
    url: cluster.url,
    keyPrefix,
    commandTimeoutMs: 2_000,
    cluster: true,
  });
  await backend.waitReady(5_000);
  return backend;
}

runLimitsContract('redis cluster', async () => {
  const prefix = uniqueRedisPrefix('cluster');
  const backend = await open(prefix);
  const peer = await open(prefix);
  await backend.ping();
  return {
    backend,
    peer,
    async cleanup() {
      await backend.close();
      await peer.close();
    },
  };
});

describe('redis cluster: roll-back', () => {
  it('takes a unit back from its sub-bucket after a newer one started on another replica', async () => {
    const prefix = uniqueRedisPrefix('ring');
    const peer = await open(prefix);
    const client = new Cluster(
      cluster.ports.map((port) => ({ host: '127.0.0.1', port })),
      { enableOfflineQueue: true },
    );
    client.defineCommand('batch', { lua: BATCH_SCRIPT });
    client.defineCommand('rollback', { lua: ROLLBACK_SCRIPT });
    const scripts = client as unknown as Record<
      'batch' | 'rollback',
      (n: number, ...a: (string | number)[]) => Promise<(string | number)[]>
    >;
    const T0 = 1_800_000_000_000;
    const rpm = (id: string, limit: number, cost: number) => ({
      id,
      limit,
      windowMs: 60_000,
      cost,
    });
    let between: () => Promise<unknown> = () => Promise.resolve();
    const ops = createClusterOps({
      prefix,
      batch: {
        async add(kind, keys, args) {
          if (kind !== ADMISSION) throw new Error('unused');
          // Between the key's step and the refusing one, another replica starts a newer
          // sub-bucket, so the one this request charged moves out of the window's header.
          if (keys[0] === `${prefix}:{b}`) await between();
          // The production script, as a batch of this one admission.
          const replies = (await scripts.batch(
            keys.length,
            ...keys,
            1,
            ADMISSION,
            keys.length,
            args.length,
            ...args,
          )) as unknown as (string | number)[][];
          return replies[0] ?? [];
        },
      },
      rollback: (keys, args) => scripts.rollback(keys.length, ...keys, ...args),
      hmget: () => Promise.reject(new Error('unused')),
    });
    const counted = async (nowMs: number) => {
      const out = await peer.consumeRate([rpm('rl:a:w', 10, 0)], nowMs, 'probe');
      return out.ok ? 10 - (out.states[0]?.remaining ?? 0) : -1;
    };
    try {
      expect((await peer.consumeRate([rpm('rl:a:w', 10, 1)], T0 - 5_000, 'q0')).ok).toBe(true);
      between = () => peer.consumeRate([rpm('rl:a:w', 10, 1)], T0 + 1_000, 'q2');
      const out = await ops.admit({
        rates: [rpm('rl:a:w', 10, 1), rpm('rl:b:w', 0, 1)],
        slots: [],
        budgets: [],
        id: 'q1',
        amountMicroUsd: 0,
        nowMs: T0,
        leaseTtlMs: 1_000,
      });
      expect(out.ok === false && out.refused === 'rate' && out.rate.index).toBe(1);
      // q0 and q2 count; q1 was taken back from its sub-bucket, now a middle one.
      expect(await counted(T0 + 1_000)).toBe(2);
      // q0 leaves, then the time q1 would have: q2 alone stays until it leaves too.
      expect(await counted(T0 + 55_000)).toBe(1);
      expect(await counted(T0 + 60_500)).toBe(1);
      expect(await counted(T0 + 61_000)).toBe(0);
    } finally {
      client.disconnect();
      await peer.close();
    }
  });
});
