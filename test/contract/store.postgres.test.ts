import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { isGatewayError } from '../../src/errors/gateway-error.js';
import { useTestSchemas } from '../helpers/postgres.js';
import { key, runStoreContract } from './store.contract.js';

const schemas = useTestSchemas();
const PASSWORD = 'hunter2-not-in-messages';
/** Nothing listens on port 1: the connection is refused at once. */
const REFUSED_URL = `postgres://bastion:${PASSWORD}@127.0.0.1:1/test`;

runStoreContract('postgres', () => {
  // Reserved, not created: every test also proves that migrate() creates a missing schema.
  const { schema, connectionString, drop } = schemas.reserve('contract');
  const store = createPostgresStore({ connectionString, schema, poolSize: 4 });
  return Promise.resolve({
    store,
    openSecond: () => createPostgresStore({ connectionString, schema, poolSize: 4 }),
    openUnreachable: () => createPostgresStore({ connectionString: REFUSED_URL, schema }),
    exec: async (sqlText) => {
      const client = new pg.Client({ connectionString, options: `-c search_path=${schema}` });
      await client.connect();
      try {
        await client.query(sqlText);
      } finally {
        await client.end();
      }
    },
    cleanup: async () => {
      await store.close();
      await drop();
    },
  });
});

describe('postgres store: connection failures', () => {
  const sockets = new Set<Socket>();
  let silent: Server | undefined;
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    if (silent !== undefined) await new Promise((resolve) => silent?.close(resolve));
  });

  it('fails fast with store_unavailable and no password when the server refuses', async () => {
    // A connect timeout far beyond the test's own: only the refusal itself can end the wait.
    const store = createPostgresStore({ connectionString: REFUSED_URL, connectTimeoutMs: 600_000 });
    try {
      const err: unknown = await store.ping().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'store_unavailable', status: 503 });
      expect(isGatewayError(err) && err.message.includes(PASSWORD)).toBe(false);
      expect(String(isGatewayError(err) ? err.cause : err)).not.toContain(PASSWORD);
    } finally {
      await store.close();
    }
  });

  it('gives up on a server that accepts but never answers after connectTimeoutMs', async () => {
    silent = createServer((socket) => sockets.add(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const store = createPostgresStore({
      connectionString: `postgres://bastion:${PASSWORD}@127.0.0.1:${address.port}/test`,
      connectTimeoutMs: 200,
    });
    try {
      await expect(store.findKeyByHash(key(1).hash)).rejects.toMatchObject({
        code: 'store_unavailable',
      });
    } finally {
      await store.close();
    }
  });

  it('refuses a schema name that would need quoting', () => {
    expect(() =>
      createPostgresStore({ connectionString: REFUSED_URL, schema: 'Bad"; DROP' }),
    ).toThrow(RangeError);
  });
});

describe('postgres store: schema', () => {
  it('migrates into an existing empty schema and keeps stores on other schemas apart', async () => {
    const a = await schemas.create('apart_a');
    const b = await schemas.create('apart_b');
    const storeA = createPostgresStore({ connectionString: a.connectionString, schema: a.schema });
    const storeB = createPostgresStore({ connectionString: b.connectionString, schema: b.schema });
    try {
      await Promise.all([storeA.migrate(), storeB.migrate()]);
      await storeA.insertKey(key(1));
      expect(await storeA.listKeys()).toStrictEqual([key(1)]);
      expect(await storeB.listKeys()).toStrictEqual([]);
    } finally {
      await storeA.close();
      await storeB.close();
    }
  });
});

describe('postgres store: key cache across replicas', () => {
  it('replica A answers the very next lookup after B revokes, re-scopes or deletes a key, or SQL changes it', async () => {
    const { schema, connectionString } = await schemas.create('key_cache');
    const a = createPostgresStore({ connectionString, schema, poolSize: 2 });
    const b = createPostgresStore({ connectionString, schema, poolSize: 2 });
    // Another session whose search_path is not the store's: the trigger must still bump this
    // schema's counter (its search_path is pinned), not look for one in `public`.
    const other = new pg.Client({ connectionString });
    try {
      await a.migrate();
      await b.insertKey(key(1));
      await b.insertKey(key(2));
      await other.connect();
      const twice = async (hash: string) => {
        await a.findKeyByHash(hash);
        return a.findKeyByHash(hash);
      };
      expect(await twice(key(1).hash)).toStrictEqual(key(1));

      expect(await b.revokeKey('key_1', 5)).toBe(true);
      expect((await a.findKeyByHash(key(1).hash))?.revokedAtMs).toBe(5);

      expect(await twice(key(2).hash)).toStrictEqual(key(2));
      expect(await b.updateKeyScopes('key_2', { models: ['gpt-4o-mini'] })).toBe(true);
      expect((await a.findKeyByHash(key(2).hash))?.scopes).toStrictEqual({
        models: ['gpt-4o-mini'],
      });

      await other.query(`UPDATE "${schema}".virtual_keys SET expires_at_ms = 9 WHERE id = 'key_2'`);
      expect((await a.findKeyByHash(key(2).hash))?.expiresAtMs).toBe(9);

      await other.query(`DELETE FROM "${schema}".virtual_keys WHERE id = 'key_2'`);
      expect(await a.findKeyByHash(key(2).hash)).toBeUndefined();
    } finally {
      await other.end();
      await a.close();
      await b.close();
    }
  });
});
