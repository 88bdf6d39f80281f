import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { runCli } from '../../src/cli/main.js';
import { issueVirtualKey } from '../../src/pipeline/auth/virtual-key.js';
import type { KeyReview } from '../../src/policy/access-review.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { AuditRecord, KeyScopes, Store } from '../../src/store/types.js';

const DAY = 86_400_000;

function auditRow(keyId: string, timeMs: number): AuditRecord {
  return {
    requestId: `req_${keyId}`,
    timeMs,
    keyId,
    keyPrefix: null,
    env: 'dev',
    endpoint: 'chat_completions',
    model: 'gpt-4o-mini',
    provider: 'openai',
    upstreamKeyLabel: null,
    status: 200,
    errorCode: null,
    promptTokens: 1,
    completionTokens: 1,
    latencyMs: 1,
    upstreamLatencyMs: 1,
    clientIp: null,
    isStream: false,
    decisions: [],
    costMicroUsd: null,
    userId: null,
    team: null,
  };
}

/** `bastion keys review` on a real SQLite store with keys of every kind of risk. */
describe('bastion keys review', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-review-'));
  const config = join(dir, 'bastion.yaml');
  let store: Store;
  const ids: Record<string, string> = {};

  async function add(
    name: string,
    o: { env?: 'dev' | 'prod'; ageDays: number; expires?: boolean; scopes?: KeyScopes },
  ) {
    const nowMs = Date.now() - o.ageDays * DAY;
    const issued = issueVirtualKey({
      name,
      env: o.env ?? 'dev',
      nowMs,
      expiresAtMs: o.expires === false ? null : Date.now() + 30 * DAY,
      scopes: o.scopes ?? { models: ['gpt-4o-mini'] },
    });
    await store.insertKey(issued.record);
    ids[name] = issued.record.id;
  }

  beforeAll(async () => {
    writeFileSync(
      config,
      `stores:\n  kind: sqlite\n  sqlite:\n    path: ${join(dir, 'bastion.db')}\npolicy:\n  teams:\n    payments: {}\n`,
    );
    store = createSqliteStore({ path: join(dir, 'bastion.db') });
    await store.migrate();
    await add('fresh', { ageDays: 1, scopes: { models: ['gpt-4o-mini'], team: 'payments' } });
    await add('busy-old', { ageDays: 120 });
    await add('idle', { ageDays: 45 });
    await add('forever', { ageDays: 1, expires: false });
    await add('everything', { ageDays: 1, scopes: { models: ['*'] } });
    await add('open-prod', { env: 'prod', ageDays: 1 });
    await add('orphan', { ageDays: 1, scopes: { models: ['a'], team: 'disbanded' } });
    await add('gone', { ageDays: 200, expires: false });
    await store.revokeKey(ids.gone ?? '', Date.now());
    await store.appendAudit([auditRow(ids['busy-old'] ?? '', Date.now() - DAY)]);
  });
  afterAll(() => store.close());

  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli([...argv, '--config', config], COMMANDS, {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
      env: {},
      cwd: dir,
    });
    return { code, stdout: out.join(''), stderr: err.join('') };
  };

  it('lists each risky key with its findings as JSON, and exits 1', async () => {
    const { code, stdout } = await run('keys', 'review', '--json');
    expect(code).toBe(1);
    const rows = JSON.parse(stdout) as KeyReview[];
    const byName = Object.fromEntries(rows.map((r) => [r.name, r.findings]));
    expect(byName).toEqual({
      'busy-old': ['old'],
      idle: ['unused'],
      forever: ['no_expiry'],
      everything: ['all_models'],
      'open-prod': ['no_ip_range_in_prod'],
      orphan: ['unknown_team'],
    });
    const busy = rows.find((r) => r.name === 'busy-old');
    expect(busy?.lastUsedMs).toBeGreaterThan(Date.now() - 2 * DAY);
  });

  it('takes the thresholds from flags, prints a table, and refuses a bad number', async () => {
    const wide = await run('keys', 'review', '--unused-days', '60', '--max-age-days', '365');
    expect(wide.stdout).not.toContain(ids.idle);
    expect(wide.stdout).not.toContain(ids['busy-old']);
    expect(wide.stdout).toContain('FINDINGS');
    expect(wide.stdout).toContain(ids.forever);
    expect(wide.stderr).toContain('4 keys of 8 need review');
    expect((await run('keys', 'review', '--unused-days', 'soon')).code).toBe(2);
  });
});
