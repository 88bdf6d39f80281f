import { afterAll, beforeAll } from 'vitest';
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
