import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { runCli } from '../../src/cli/main.js';
import { post, startTestGateway } from '../helpers/gateway.js';

/** The chain key; it must never appear in any output. */
const CANARY_CHAIN_KEY = 'chain-key-canary-5d7c1e9a3b2f4e6d8c0a1b3d5f7e9c2a';

describe('bastion audit verify on a gateway-written log', () => {
  let dbPath: string;
  let gatewayLogs: string[];
  const env = {
    BASTION_AUDIT__CHAIN_KEY: 'env:TEST_AUDIT_CHAIN_KEY',
    TEST_AUDIT_CHAIN_KEY: CANARY_CHAIN_KEY,
  };

  beforeAll(async () => {
    const gw = await startTestGateway({
      env,
      config: { audit: { flushIntervalMs: 20, batchSize: 2 } },
    });
    const auth = { authorization: `Bearer ${(await gw.createKey()).secret}` };
    for (const content of ['one', 'two', 'three']) {
      const res = await post(
        `${gw.url}/v1/chat/completions`,
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] },
        auth,
      );
      expect(res.status).toBe(200);
    }
    await gw.close();
    dbPath = gw.dbPath;
    gatewayLogs = gw.logs;
  });

  const run = async (extraEnv: NodeJS.ProcessEnv, ...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['audit', 'verify', ...argv], COMMANDS, {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
      env: { BASTION_STORES__SQLITE__PATH: dbPath, ...extraEnv },
      cwd: tmpdir(),
    });
    const stdout = out.join('');
    const stderr = err.join('');
    expect(stdout + stderr).not.toContain(CANARY_CHAIN_KEY);
    return { code, stdout, stderr };
  };
  const sqlite = (sqlText: string) => {
    const db = new Database(dbPath);
    try {
      db.exec(sqlText);
    } finally {
      db.close();
    }
  };

  it('logs the chain head at shutdown, without the key', () => {
    const heads = gatewayLogs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['event'] === 'audit_chain_head');
    expect(heads.at(-1)).toMatchObject({ seq: 3 });
    expect(heads.at(-1)?.['hash']).toMatch(/^[0-9a-f]{64}$/);
    expect(gatewayLogs.join('')).not.toContain(CANARY_CHAIN_KEY);
  });

  it('exits 0 when every chain verifies, with the key the gateway used', async () => {
    const text = await run(env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/rows=3 {2}seq=1\.\.3 .* ok\n/);
    const json = await run(env, '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ isIntact: true, chains: [{ rows: 3 }] });
    expect((await run(env, '--since', '1h')).code).toBe(0);
  });

  it('exits 1 without the key: the chain is an HMAC', async () => {
    expect((await run({})).code).toBe(1);
  });

  it('exits 1 and names the row when a record was edited', async () => {
    sqlite('UPDATE audit_log SET completion_tokens = completion_tokens + 1 WHERE chain_seq = 2');
    const res = await run(env);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('hash_mismatch at seq 2');
    const json = JSON.parse((await run(env, '--json')).stdout) as {
      chains: { problem: { kind: string; seq: number } }[];
    };
    expect(json.chains[0]?.problem).toMatchObject({ kind: 'hash_mismatch', seq: 2 });
    sqlite('UPDATE audit_log SET completion_tokens = completion_tokens - 1 WHERE chain_seq = 2');
    expect((await run(env)).code).toBe(0);
  });

  it('exits 2 when it cannot verify: store down, key unreadable, too short or inline', async () => {
    const down = await run({
      ...env,
      BASTION_STORES__KIND: 'postgres',
      BASTION_STORES__POSTGRES__URL: 'env:TEST_DOWN_URL',
      TEST_DOWN_URL: 'postgres://bastion@127.0.0.1:1/test',
    });
    expect(down.code).toBe(2);
    expect(down.stderr).toContain('store_unavailable');
    const missing = await run({ BASTION_AUDIT__CHAIN_KEY: 'env:TEST_NO_SUCH_KEY' });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('secret_not_found');
    const short = await run({ ...env, TEST_AUDIT_CHAIN_KEY: 'short' });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('at least 32 bytes');
    expect((await run({ BASTION_AUDIT__CHAIN_KEY: CANARY_CHAIN_KEY })).code).toBe(2);
    expect((await run(env, '--since', 'yesterday')).code).toBe(2);
  });
});

describe('bastion audit verify across a chain key rotation and against logged heads', () => {
  const OLD_KEY = 'chain-key-canary-old-1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d';
  const NEW_KEY = 'chain-key-canary-new-6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c';
  let dbPath: string;
  let logFile: string;
  let dir: string;
  const keyEnv = { TEST_OLD_CHAIN_KEY: OLD_KEY, TEST_NEW_CHAIN_KEY: NEW_KEY };

  /** One gateway run on the shared database, writing `n` audited requests under `keyVar`. */
  const serve = async (keyVar: string, n: number) => {
    const gw = await startTestGateway({
      env: { ...keyEnv, BASTION_AUDIT__CHAIN_KEY: `env:${keyVar}` },
      config: { audit: { flushIntervalMs: 20, batchSize: 2 } },
      ...(dbPath === undefined ? {} : { stores: { kind: 'sqlite', sqlite: { path: dbPath } } }),
    });
    const auth = { authorization: `Bearer ${(await gw.createKey()).secret}` };
    for (let i = 0; i < n; i++) {
      const res = await post(
        `${gw.url}/v1/chat/completions`,
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `request ${i}` }] },
        auth,
      );
      expect(res.status).toBe(200);
    }
    await gw.close();
    // The first run's database; later runs open it through `stores`.
    dbPath ??= gw.dbPath;
    return gw.logs;
  };

  beforeAll(async () => {
    const before = await serve('TEST_OLD_CHAIN_KEY', 2);
    const after = await serve('TEST_NEW_CHAIN_KEY', 3);
    dir = mkdtempSync(join(tmpdir(), 'bastion-rotation-'));
    logFile = join(dir, 'gateway.log');
    // What an operator ships elsewhere: the gateway's log lines as written.
    writeFileSync(logFile, `${[...before, ...after].join('\n')}\nnot json\n`);
  });

  const run = async (config: string, ...argv: string[]) => {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, config);
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['audit', 'verify', '--config', file, ...argv], COMMANDS, {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
      env: { BASTION_STORES__SQLITE__PATH: dbPath, ...keyEnv },
      cwd: tmpdir(),
    });
    const text = out.join('') + err.join('');
    for (const key of [OLD_KEY, NEW_KEY]) expect(text).not.toContain(key);
    return { code, text };
  };
  const rotated =
    'audit:\n  chainKey: env:TEST_NEW_CHAIN_KEY\n  previousChainKeys: [env:TEST_OLD_CHAIN_KEY]\n';

  it('verifies rows written before and after the rotation, with the old key listed', async () => {
    const res = await run(rotated, '--heads', logFile);
    expect(res.text).toMatch(/rows=2 .* ok\n/);
    expect(res.text).toMatch(/rows=3 .* ok\n/);
    expect(res.text).toContain('2 logged head(s) checked, 0 not found');
    expect(res.code).toBe(0);
  });

  it('names the key a chain needs when the old key is not listed', async () => {
    const res = await run('audit:\n  chainKey: env:TEST_NEW_CHAIN_KEY\n');
    expect(res.code).toBe(1);
    expect(res.text).toMatch(/unknown_key k[0-9a-f]{16}/);
  });

  it('reports rows cut from the end of a chain against the heads in the log', async () => {
    const db = new Database(dbPath);
    try {
      db.exec('DELETE FROM audit_log WHERE chain_seq = 3');
    } finally {
      db.close();
    }
    // The two chains still link up: without the log nothing shows the loss.
    expect((await run(rotated)).code).toBe(0);
    const res = await run(rotated, '--heads', logFile);
    expect(res.code).toBe(1);
    expect(res.text).toContain('TRUNCATED head_missing: logged head seq 3');
    expect((await run(rotated, '--heads', join(dir, 'missing.log'))).code).toBe(2);
  });
});
