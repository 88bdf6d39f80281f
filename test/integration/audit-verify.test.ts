import { tmpdir } from 'node:os';
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
