import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { runCli } from '../../src/cli/main.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

function io(env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
      env,
      cwd: tmpdir(),
    },
  };
}

describe('bastion CLI on the gateway store', () => {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'bastion-cli-')), 'bastion.db');
  const env = { BASTION_STORES__SQLITE__PATH: dbPath };
  const run = async (...argv: string[]) => {
    const c = io(env);
    const code = await runCli(argv, COMMANDS, c.io);
    return { code, stdout: c.out.join(''), stderr: c.err.join('') };
  };

  it('creates a key shown once, lists it without the secret, and revokes it by prefix', async () => {
    const created = await run(
      'keys',
      'create',
      '--name',
      'checkout-service',
      '--env',
      'prod',
      '--json',
    );
    expect(created.code).toBe(0);
    const { key, prefix, id } = JSON.parse(created.stdout) as {
      key: string;
      prefix: string;
      id: string;
    };
    expect(key).toMatch(/^bk_prod_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(prefix)).toBe(true);

    const listed = await run('keys', 'list');
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain('active');
    expect(listed.stdout).not.toContain(key);

    expect((await run('keys', 'revoke', prefix)).stdout).toContain(`revoked ${id}`);
    expect((await run('keys', 'list', '--json')).stdout).toContain('"state":"revoked"');
    expect((await run('keys', 'revoke', 'key_nope')).code).toBe(1);
  });

  it('refuses bad usage with exit code 2', async () => {
    expect((await run('keys', 'create')).code).toBe(2);
    expect((await run('keys', 'create', '--name', 'x', '--env', 'moon')).code).toBe(2);
    expect((await run('keys', 'create', '--name', 'x', '--expires', 'yesterday')).code).toBe(2);
    expect((await run('keys', 'create', '--name', 'x', '--bogus')).code).toBe(2);
    expect((await run('no-such-command')).code).toBe(2);
  });

  it('queries the audit log by key, time and status', async () => {
    const store = createSqliteStore({ path: dbPath });
    await store.migrate();
    const base = {
      keyPrefix: 'bk_dev_x',
      env: 'dev' as const,
      endpoint: '/v1/chat/completions',
      model: 'gpt-4o-mini',
      provider: 'openai',
      upstreamKeyLabel: 'openai-1',
      promptTokens: 1,
      completionTokens: 1,
      latencyMs: 1,
      upstreamLatencyMs: 1,
      clientIp: '127.0.0.1',
      isStream: false,
      decisions: [],
    };
    const now = Date.now();
    await store.appendAudit([
      {
        ...base,
        requestId: 'req_a',
        timeMs: now - 2 * 3_600_000,
        keyId: 'key_a',
        status: 200,
        errorCode: null,
      },
      {
        ...base,
        requestId: 'req_b',
        timeMs: now - 60_000,
        keyId: 'key_a',
        status: 429,
        errorCode: 'upstream_rate_limited',
      },
      {
        ...base,
        requestId: 'req_c',
        timeMs: now - 30_000,
        keyId: 'key_b',
        status: 200,
        errorCode: null,
      },
    ] as never);
    await store.close();
    const ids = async (...args: string[]) =>
      (
        JSON.parse((await run('audit', 'query', '--json', ...args)).stdout) as {
          requestId: string;
        }[]
      ).map((r) => r.requestId);
    expect(await ids('--key', 'key_a')).toEqual(['req_b', 'req_a']);
    expect(await ids('--since', '1h')).toEqual(['req_c', 'req_b']);
    expect(await ids('--status', '429')).toEqual(['req_b']);
    const tail = (await run('audit', 'tail', '--limit', '2')).stdout.split('\n');
    expect(tail[0]).toMatch(/^TIME +REQUEST +STATUS +ERROR +KEY /);
    expect(tail[1]).toContain('req_b');
    expect(await ids('--status', '418')).toEqual([]);
    const none = await run('audit', 'query', '--status', '418');
    expect(none).toMatchObject({ code: 0, stdout: '', stderr: 'no audit records found\n' });
  });
});
