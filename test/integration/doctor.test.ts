import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { runCli } from '../../src/cli/main.js';
import { issueVirtualKey } from '../../src/pipeline/auth/virtual-key.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startTestIdp, type TestIdp } from '../helpers/jwks.js';
import { createMockProvider, type MockProvider } from '../../src/providers/mock/server.js';

const KEY_CANARY = 'sk-doctor-canary-4e1f0a9b8c7d6e5f';
const PG_PASSWORD = 'pg-doctor-canary-2b7c';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const daysAgo = (days: number) =>
  new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

interface DoctorReport {
  ok: number;
  warnings: number;
  failures: number;
  checks: { area: string; status: 'ok' | 'warn' | 'fail'; message: string }[];
}

describe('bastion doctor', () => {
  let dir: string;
  let mock: MockProvider;
  let mockUrl: string;
  let idp: TestIdp;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bastion-doctor-'));
    mock = createMockProvider({ apiKeys: [KEY_CANARY] });
    mockUrl = await mock.listen(0, '127.0.0.1');
    idp = await startTestIdp();
  });
  afterAll(async () => {
    await mock.close();
    await idp.close();
  });

  /** Runs `bastion doctor --json` on a config file written from `config`. */
  async function doctor(config: string, env: NodeJS.ProcessEnv = {}, extra: string[] = []) {
    const file = join(dir, `bastion-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, config);
    let out = '';
    const io: CliIo = {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (out += t), isTTY: false },
      env,
      cwd: dir,
    };
    const code = await runCli(['doctor', '--config', file, '--json', ...extra], COMMANDS, io);
    return { code, out, report: code === 2 ? undefined : (JSON.parse(out) as DoctorReport) };
  }
  const find = (r: DoctorReport | undefined, area: string, status: string) =>
    r?.checks.filter((c) => c.area === area && c.status === status).map((c) => c.message) ?? [];

  it('passes a working setup: secrets resolve, stores and Redis answer, providers reachable', async () => {
    const db = join(dir, 'ok.db');
    (await createSqliteStore({ path: db }).close()) satisfies void;
    chmodSync(db, 0o600);
    const { code, report, out } = await doctor(
      `stores: { kind: sqlite, sqlite: { path: ${db} } }
limits: { backend: redis, redis: { url: env:REDIS_URL } }
jwt: { enabled: true, jwksUrl: ${idp.jwksUrl}, algorithms: [RS256] }
providers:
  openai:
    kind: openai
    baseUrl: ${mockUrl}
    keys: [{ label: fresh, apiKey: env:OPENAI_KEY, createdAt: ${daysAgo(3)} }]
models: { gpt-4o-mini: { provider: openai } }
`,
      { OPENAI_KEY: KEY_CANARY, REDIS_URL },
    );
    expect(code).toBe(0);
    expect(report?.failures).toBe(0);
    expect(find(report, 'secrets', 'ok')).toEqual(['2 references resolved']);
    expect(find(report, 'store', 'ok')).toEqual([`sqlite ${db} answers`]);
    expect(find(report, 'redis', 'ok')).toEqual(['env:REDIS_URL answers']);
    expect(find(report, 'jwt', 'ok')).toEqual([`${idp.jwksUrl}: 1 key`]);
    expect(find(report, 'providers', 'ok')).toEqual([
      `openai: ${new URL(mockUrl).host}/v1/models reachable`,
    ]);
    expect(out).not.toContain(KEY_CANARY);
  });

  it('fails on a missing secret, a down store and Redis, an old key, never printing a value', async () => {
    const { code, report, out } = await doctor(
      `stores: { kind: postgres, postgres: { url: env:PG_URL } }
limits: { backend: redis, redis: { url: env:BAD_REDIS } }
providers:
  openai:
    kind: openai
    baseUrl: ${mockUrl}
    keys:
      - { label: old, apiKey: env:OPENAI_KEY, createdAt: ${daysAgo(95)} }
      - { label: aging, apiKey: env:MISSING_KEY, createdAt: ${daysAgo(65)} }
models: { gpt-4o-mini: { provider: openai } }
`,
      {
        OPENAI_KEY: KEY_CANARY,
        PG_URL: `postgres://postgres:${PG_PASSWORD}@127.0.0.1:1/test`,
        BAD_REDIS: 'redis://127.0.0.1:1',
      },
    );
    expect(code).toBe(1);
    expect(find(report, 'secrets', 'fail')).toEqual([
      'env:MISSING_KEY (provider:openai/aging): secret_not_found',
    ]);
    expect(find(report, 'store', 'fail')).toHaveLength(1);
    expect(find(report, 'redis', 'fail')).toHaveLength(1);
    expect(find(report, 'providers', 'fail')).toEqual([
      'openai/old is 95 days old: rotate it (bastion providers rotate)',
    ]);
    expect(find(report, 'providers', 'warn')).toEqual([
      'openai/aging is 65 days old: rotate it (bastion providers rotate)',
    ]);
    for (const secret of [KEY_CANARY, PG_PASSWORD]) expect(out).not.toContain(secret);
  });

  it('fails a provider whose baseUrl path is wrong instead of calling it reachable (issue 11)', async () => {
    const groqLike = createMockProvider({ basePath: '/openai' });
    const url = await groqLike.listen(0, '127.0.0.1');
    try {
      const provider = (baseUrl: string) => `providers:
  groq: { kind: openai, baseUrl: ${baseUrl}, apiKey: env:OPENAI_KEY }
models: { llama: { provider: groq } }
`;
      const wrong = await doctor(provider(url), { OPENAI_KEY: KEY_CANARY });
      expect(wrong.code).toBe(1);
      expect(find(wrong.report, 'providers', 'ok')).toEqual([]);
      expect(find(wrong.report, 'providers', 'fail')).toEqual([
        `groq: ${new URL(url).host} answers 404 at /v1/models: check the path of providers.groq.baseUrl`,
      ]);
      const right = await doctor(provider(`${url}/openai`), { OPENAI_KEY: KEY_CANARY });
      expect(find(right.report, 'providers', 'ok')).toEqual([
        `groq: ${new URL(url).host}/openai/v1/models reachable`,
      ]);
      expect(groqLike.received.every((r) => r.headers.authorization === undefined)).toBe(true);
    } finally {
      await groqLike.close();
    }
  });

  it('resolves the audit chain key reference as serve does, never printing it', async () => {
    const chainKey = 'chain-key-doctor-canary-7a1b2c3d4e5f60718293a4b5c6d7e8f9';
    const ok = await doctor('audit: { chainKey: env:CHAIN_KEY }\n', { CHAIN_KEY: chainKey });
    expect(find(ok.report, 'secrets', 'ok')).toEqual(['1 reference resolved']);
    expect(ok.out).not.toContain(chainKey);
    const missing = await doctor('audit: { chainKey: env:MISSING_CHAIN_KEY }\n');
    expect(find(missing.report, 'secrets', 'fail')).toEqual([
      'env:MISSING_CHAIN_KEY (audit:chain): secret_not_found',
    ]);
  });

  it('warns about exposure: a public data plane, open metrics, a short admin token, a shared db file', async () => {
    const db = join(dir, 'loose.db');
    (await createSqliteStore({ path: db }).close()) satisfies void;
    chmodSync(db, 0o644);
    const { code, report } = await doctor(
      `server: { host: 0.0.0.0 }
controlPlane: { host: 0.0.0.0 }
stores: { kind: sqlite, sqlite: { path: ${db} } }
`,
      { BASTION_ADMIN_TOKEN: 'short' },
      ['--offline'],
    );
    expect(code).toBe(1);
    expect(find(report, 'admin', 'fail')).toHaveLength(1);
    expect(find(report, 'exposure', 'warn')).toEqual([
      'data plane on 0.0.0.0:8080 without TLS: set server.tls or serve it behind a TLS terminator (docs/deploy.md)',
      'control plane on 0.0.0.0 without TLS: the admin token crosses the network in clear; set controlPlane.tls (docs/deploy.md)',
      'control plane on 0.0.0.0: /metrics is open; set controlPlane.metrics.token',
    ]);
    expect(find(report, 'store', 'warn')).toEqual([
      `sqlite ${db} is readable by other users; chmod 600 it`,
    ]);
    expect(find(report, 'providers', 'warn')).toEqual([
      'no provider key configured: the built-in mock provider serves',
    ]);
  });

  it('takes native TLS as covering a plane beyond loopback', async () => {
    const tls = `{ cert: 'file:${join(dir, 'tls.crt')}', key: 'file:${join(dir, 'tls.key')}' }`;
    const { report } = await doctor(
      `server: { host: 0.0.0.0, tls: ${tls} }\ncontrolPlane: { host: 0.0.0.0, tls: ${tls}, metrics: { enabled: false } }\n`,
      {},
      ['--offline'],
    );
    expect(find(report, 'exposure', 'warn')).toEqual([]);
    expect(find(report, 'exposure', 'ok')).toContain('data plane on 0.0.0.0: HTTPS');
  });

  it('exits 2 with every problem on an invalid config', async () => {
    const { code, out } = await doctor(
      `providers: { openai: { kind: openai, apiKey: ${KEY_CANARY} } }\n`,
    );
    expect(code).toBe(2);
    expect(out).toContain('providers.openai.apiKey');
    expect(out).not.toContain(KEY_CANARY);
  });

  it('warns when the keys may hold more upstream calls than the pool has connections', async () => {
    const db = join(dir, 'pool.db');
    const store = createSqliteStore({ path: db });
    await store.migrate();
    // Five prod keys at the shipped default of 32 in flight each: 160 against 128 connections.
    for (let i = 0; i < 5; i++) {
      await store.insertKey(
        issueVirtualKey({ name: `k${i}`, env: 'prod', nowMs: Date.now() }).record,
      );
    }
    await store.close();
    chmodSync(db, 0o600);
    const config = (connections: number) =>
      `stores: { kind: sqlite, sqlite: { path: ${db} } }\nupstream: { connections: ${connections} }\n`;
    const small = await doctor(config(128), {}, ['--offline']);
    expect(find(small.report, 'upstream', 'warn')).toEqual([
      expect.stringContaining(
        "upstream.connections is 128 but the active keys' concurrency limits add up to 160",
      ),
    ]);
    const large = await doctor(config(160), {}, ['--offline']);
    expect(find(large.report, 'upstream', 'ok')).toEqual([
      "160 connections per provider cover the 5 active keys' concurrency limits (at most 160 in flight)",
    ]);
  });

  it('checks PostgreSQL when it is the store', async () => {
    const { report } = await doctor(`stores: { kind: postgres, postgres: { url: env:PG } }\n`, {
      PG: DATABASE_URL,
    });
    expect(find(report, 'store', 'ok')).toEqual(['postgres env:PG answers']);
  });
});
