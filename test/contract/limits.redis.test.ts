import { describe, expect, it } from 'vitest';
import { createRedisLimitBackend } from '../../src/limits/redis.js';
import { dropRedisPrefix, REDIS_URL, uniqueRedisPrefix } from '../helpers/redis.js';
import { runLimitsContract } from './limits.contract.js';

async function open(url: string, keyPrefix: string) {
  const backend = createRedisLimitBackend({ url, keyPrefix, commandTimeoutMs: 2_000 });
  await backend.waitReady(2_000);
  return backend;
}

runLimitsContract('redis', async () => {
  const prefix = uniqueRedisPrefix('contract');
  const backend = await open(REDIS_URL, prefix);
  const peer = await open(REDIS_URL, prefix);
  await backend.ping();
  return {
    backend,
    peer,
    async cleanup() {
      await backend.close();
      await peer.close();
      await dropRedisPrefix(prefix);
    },
  };
});

describe('redis limit backend: failures', () => {
  it('fails closed with limits_unavailable when Redis cannot be reached', async () => {
    const backend = createRedisLimitBackend({
      url: 'redis://:not-in-messages@127.0.0.1:1',
      keyPrefix: 'unreachable',
      commandTimeoutMs: 200,
    });
    try {
      const calls = [
        backend.consumeRate([{ id: 'a', limit: 1, windowMs: 1000, cost: 1 }], 0, 'q'),
        backend.acquireSlots([{ id: 'a', limit: 1 }], 'l', 0, 1000),
        backend.reserve([{ id: 'a', limitMicroUsd: 1, expiresAtMs: 1 }], 'r', 1, 0, 1000),
        backend.settle([{ id: 'a', limitMicroUsd: 1, expiresAtMs: 1 }], 'r', 1),
        backend.ping(),
      ];
      for (const call of calls) {
        const err = await call.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toMatchObject({ code: 'limits_unavailable', status: 503 });
        expect(String(err)).not.toContain('not-in-messages');
      }
    } finally {
      await backend.close();
    }
  });
});
