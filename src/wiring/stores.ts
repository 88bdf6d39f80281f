import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SecretLookup } from '../config/startup-secrets.js';
import { resolveSecretRef } from '../config/refs.js';
import type { Config } from '../config/schema.js';
import { createMemoryLimitBackend } from '../limits/memory.js';
import type { LimitBackend } from '../limits/types.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/types.js';

/**
 * The configured store. The PostgreSQL driver (and, below, the Redis client) are imported only
 * when configured: a gateway on SQLite with in-process limits does not hold them (about 16 MiB).
 */
export async function openStore(
  stores: Config['stores'],
  env: NodeJS.ProcessEnv,
  secretOf: SecretLookup = (ref) => resolveSecretRef(ref, env),
  opts: { isCommitDurable?: boolean } = {},
): Promise<Store> {
  if (stores.kind === 'postgres') {
    const url = secretOf(stores.postgres.url);
    const { createPostgresStore } = await import('../store/postgres/postgres-store.js');
    return createPostgresStore({
      connectionString: url.reveal(),
      schema: stores.postgres.schema,
      poolSize: stores.postgres.poolSize,
    });
  }
  if (stores.sqlite.path !== ':memory:')
    mkdirSync(dirname(stores.sqlite.path), { recursive: true, mode: 0o700 });
  return createSqliteStore({
    path: stores.sqlite.path,
    ...(opts.isCommitDurable === true ? { synchronous: 'full' as const } : {}),
  });
}

export async function openLimitBackend(
  limits: Config['limits'],
  secretOf: SecretLookup,
): Promise<LimitBackend> {
  if (limits.backend === 'memory') return createMemoryLimitBackend();
  const { createRedisLimitBackend } = await import('../limits/redis.js');
  const backend = createRedisLimitBackend({
    url: secretOf(limits.redis.url).reveal(),
    keyPrefix: limits.redis.keyPrefix,
    commandTimeoutMs: limits.redis.commandTimeoutMs,
    cluster: limits.redis.cluster,
  });
  // Start even if Redis is down: requests fail closed until it answers.
  await backend.waitReady(2_000);
  return backend;
}
