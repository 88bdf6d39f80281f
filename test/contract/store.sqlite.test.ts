import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { key, runStoreContract } from './store.contract.js';

let dir: string;
let count = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bastion-sqlite-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

runStoreContract('sqlite', () => {
  const path = join(dir, `contract-${++count}.db`);
  const store = createSqliteStore({ path });
  return Promise.resolve({
    store,
    openSecond: () => createSqliteStore({ path }),
    openUnreachable: () => createSqliteStore({ path: join(dir, 'missing-dir', 'x.db') }),
    exec: (sqlText) => {
      const db = new Database(path);
      try {
        db.exec(sqlText);
      } finally {
        db.close();
      }
      return Promise.resolve();
    },
    cleanup: async () => {
      await store.close();
      await rm(path, { force: true });
      await rm(`${path}-wal`, { force: true });
      await rm(`${path}-shm`, { force: true });
    },
  });
});

describe('sqlite store: the file', () => {
  it('is shared: a key written by one instance is read by another at once', async () => {
    const path = join(dir, 'shared.db');
    const gateway = createSqliteStore({ path });
    const cli = createSqliteStore({ path });
    try {
      await gateway.migrate();
      await cli.migrate();
      expect(await gateway.findKeyByHash(key(1).hash)).toBeUndefined();
      await cli.insertKey(key(1));
      expect(await gateway.findKeyByHash(key(1).hash)).toStrictEqual(key(1));
      await cli.revokeKey('key_1', 7);
      expect((await gateway.findKeyByHash(key(1).hash))?.revokedAtMs).toBe(7);
    } finally {
      await gateway.close();
      await cli.close();
    }
  });

  it('shows a key revoked by another process to the next lookup, after many cached ones', async () => {
    const path = join(dir, 'other-process.db');
    const gateway = createSqliteStore({ path });
    try {
      await gateway.migrate();
      await gateway.insertKey(key(1));
      // Cached, and looked up many times in one event-loop iteration (the version is read once).
      for (let i = 0; i < 100; i++)
        expect((await gateway.findKeyByHash(key(1).hash))?.revokedAtMs).toBeNull();
      // Another process (as `bastion keys revoke` is) writes the file and exits.
      const revoke =
        "const D = require('better-sqlite3'); const db = new D(process.argv[1]);" +
        "db.prepare('UPDATE virtual_keys SET revoked_at_ms = 9 WHERE id = ?').run('key_1'); db.close();";
      await promisify(execFile)(process.execPath, ['-e', revoke, path], { cwd: process.cwd() });
      expect((await gateway.findKeyByHash(key(1).hash))?.revokedAtMs).toBe(9);
    } finally {
      await gateway.close();
    }
  });

  it('answers the key lookup without waiting too: the same record, revocations at once, fail closed', async () => {
    const path = join(dir, 'now.db');
    const unmigrated = createSqliteStore({ path });
    let failure: unknown;
    try {
      unmigrated.findKeyByHashNow?.(key(1).hash);
    } catch (err) {
      failure = err;
    }
    expect(failure).toMatchObject({ code: 'store_unavailable' });
    await unmigrated.close();
    const gateway = createSqliteStore({ path });
    const cli = createSqliteStore({ path });
    try {
      await gateway.migrate();
      expect(gateway.findKeyByHashNow?.(key(1).hash)).toBeUndefined();
      await cli.insertKey(key(1));
      expect(gateway.findKeyByHashNow?.(key(1).hash)).toStrictEqual(key(1));
      expect(gateway.findKeyByHashNow?.(key(1).hash)).toStrictEqual(
        await gateway.findKeyByHash(key(1).hash),
      );
      await cli.revokeKey('key_1', 7);
      expect(gateway.findKeyByHashNow?.(key(1).hash)?.revokedAtMs).toBe(7);
    } finally {
      await gateway.close();
      await cli.close();
    }
  });

  it('is created owner-only (0600) and in WAL mode', async () => {
    const path = join(dir, 'private.db');
    const store = createSqliteStore({ path });
    try {
      await store.migrate();
      await store.insertKey(key(1));
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect((await stat(`${path}-wal`)).mode & 0o777).toBe(0o600);
    } finally {
      await store.close();
    }
  });

  it('works in memory', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    try {
      await store.migrate();
      await store.insertKey(key(1));
      expect(await store.listKeys()).toStrictEqual([key(1)]);
    } finally {
      await store.close();
    }
  });

  it('refuses calls before migrate with store_unavailable, not a crash', async () => {
    const store = createSqliteStore({ path: join(dir, 'unmigrated.db') });
    try {
      await expect(store.findKeyByHash(key(1).hash)).rejects.toMatchObject({
        code: 'store_unavailable',
      });
      await store.ping();
    } finally {
      await store.close();
    }
  });
});
