import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { runCli } from '../../src/cli/main.js';
import { createAuditChain, createChainHasher } from '../../src/pipeline/audit/chain.js';
import { prepareStatements } from '../../src/store/sqlite/statements.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { AuditRecord } from '../../src/store/types.js';
import { runCliProcess } from '../helpers/spawn.js';

/** One chain long enough that holding its rows at once needs far more than the heap cap below. */
const ROWS = 100_000;
const SECOND_MS = 1_000;
/** Rows a second apart, ending an hour ago. */
const START_MS = Date.now() - 3_600_000 - ROWS * SECOND_MS;

function record(n: number): AuditRecord {
  return {
    requestId: `req_${n}`,
    timeMs: START_MS + n * SECOND_MS,
    keyId: 'key_1',
    keyPrefix: 'bk_prod_x',
    env: 'prod',
    endpoint: '/v1/chat/completions',
    model: 'gpt-4o-mini',
    provider: 'openai',
    upstreamKeyLabel: 'openai-1',
    status: 200,
    errorCode: null,
    promptTokens: 10 + (n % 50),
    completionTokens: 2,
    latencyMs: 3.25,
    upstreamLatencyMs: 2.5,
    clientIp: '127.0.0.1',
    isStream: false,
    decisions: [],
    costMicroUsd: 5,
    userId: null,
    team: null,
  };
}

/** Issue 16: verify and archive stream a big log instead of holding it. */
describe('bastion audit verify and archive on a 100,000-row chain', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-audit-scale-'));
  const dbPath = join(dir, 'bastion.db');
  const run = async (io: { dbPath?: string; isTTY?: boolean }, ...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, COMMANDS, {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t), isTTY: io.isTTY ?? false },
      env: { BASTION_STORES__SQLITE__PATH: io.dbPath ?? dbPath },
      cwd: dir,
    });
    return { code, stdout: out.join(''), stderr: err.join('') };
  };
  const sqlite = (sqlText: string, path = dbPath) => {
    const db = new Database(path);
    try {
      db.exec(sqlText);
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    const store = createSqliteStore({ path: dbPath });
    await store.migrate();
    const chain = createAuditChain({ hash: createChainHasher(undefined) });
    for (let n = 0; n < ROWS; n += 5_000) {
      await store.appendAudit(
        Array.from({ length: 5_000 }, (_, i) => chain.link(record(n + i + 1))),
      );
    }
    await store.close();
  }, 120_000);

  it('verifies every row in a process whose heap is capped at 40 MB (holding the rows would abort it)', async () => {
    // A verify that read a chain whole needs about 100 MB of heap for these rows and dies
    // at the cap (checked with one page of 100,000 rows: out of memory at 48 MB).
    const res = await runCliProcess(['audit', 'verify'], {
      ...process.env,
      NODE_OPTIONS: '--max-old-space-size=40',
      BASTION_STORES__SQLITE__PATH: dbPath,
    });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/rows=100000 {2}seq=1\.\.100000 .* ok\n/);
    expect(res.stdout).toContain('1 chain(s), 0 with problems: intact');
  }, 180_000);

  it('names a row edited, or deleted, in the middle of the chain', async () => {
    sqlite('UPDATE audit_log SET prompt_tokens = prompt_tokens + 1 WHERE chain_seq = 61234');
    const edited = await run({}, 'audit', 'verify');
    expect(edited.code).toBe(1);
    expect(edited.stdout).toContain('TAMPERED hash_mismatch at seq 61234 (req_61234)');
    // The rows after the problem are still counted: the report covers the whole chain.
    expect(edited.stdout).toContain('rows=100000');
    sqlite('UPDATE audit_log SET prompt_tokens = prompt_tokens - 1 WHERE chain_seq = 61234');

    const copy = join(dir, 'deleted.db');
    copyFileSync(dbPath, copy);
    sqlite('DELETE FROM audit_log WHERE chain_seq = 70000', copy);
    const deleted = await run({ dbPath: copy }, 'audit', 'verify');
    expect(deleted.code).toBe(1);
    expect(deleted.stdout).toContain('seq_gap: expected seq 70000, found 70001');
  }, 120_000);

  it('--since finds each chain through the time index and says the first prev_hash is trusted', async () => {
    const db = new Database(dbPath, { readonly: true });
    const stmt = prepareStatements(db).auditChainsSince;
    const plan = db
      .prepare<[number], { detail: string }>(`EXPLAIN QUERY PLAN ${stmt.source}`)
      .all(START_MS);
    db.close();
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING INDEX audit_log_time_idx/);

    const since = new Date(START_MS + 95_001 * SECOND_MS).toISOString();
    const piped = await run({}, 'audit', 'verify', '--since', since);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toContain(`since ${since}: each chain from its first row at or after`);
    expect(piped.stdout).toContain('prev_hash is trusted');
    expect(piped.stdout).toMatch(/rows=5000 {2}seq=95001\.\.100000 .* ok\n/);
    // Nothing but the report: no progress line when stderr is not a terminal.
    expect(piped.stderr).toBe('');

    // On a terminal, a progress line on stderr, cleared at the end; stdout is the same.
    const tty = await run({ isTTY: true }, 'audit', 'verify', '--since', since);
    expect(tty.code).toBe(0);
    expect(tty.stdout).toBe(piped.stdout);
    const clear = '\r\u001b[2K';
    expect(tty.stderr.startsWith(`${clear}verifying `)).toBe(true);
    expect(tty.stderr.slice(clear.length)).toMatch(/^verifying \d+\/5000 rows · [\d.]+ rows\/s/);
    expect(tty.stderr.endsWith(clear)).toBe(true);
  }, 120_000);

  it('archives half the chain (deleted in batches), and the archive and the rest still verify', async () => {
    const archiveDir = join(dir, 'archive');
    const before = new Date(START_MS + 50_001 * SECOND_MS).toISOString();
    const archived = await run(
      { isTTY: true },
      'audit',
      'archive',
      '--before',
      before,
      '--dir',
      archiveDir,
    );
    expect(archived.code, archived.stderr).toBe(0);
    expect(archived.stdout).toContain('archived 50000 row(s) of 1 chain(s)');
    expect(archived.stderr).toMatch(/archiving \d+ rows/);
    const db = new Database(dbPath, { readonly: true });
    const left = db
      .prepare('SELECT count(*) AS n, min(chain_seq) AS first FROM audit_log')
      .get() as { n: number; first: number };
    db.close();
    expect(left).toEqual({ n: 50_000, first: 50_001 });

    const [file] = readdirSync(archiveDir);
    const checked = await run({}, 'audit', 'verify', '--archive', join(archiveDir, file as string));
    expect(checked.code, checked.stdout).toBe(0);
    expect(checked.stdout).toContain('archive of 50000 row(s)');
    expect(checked.stdout).toContain('intact and complete');
    const rest = await run({}, 'audit', 'verify');
    expect(rest.code, rest.stdout).toBe(0);
    expect(rest.stdout).toMatch(/rows=50000 {2}seq=50001\.\.100000 .* ok\n/);
  }, 180_000);
});
