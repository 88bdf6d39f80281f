import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { runCli } from '../../src/cli/main.js';
import { createLogger } from '../../src/log/logger.js';
import { createAuditChain, createChainHasher } from '../../src/pipeline/audit/chain.js';
import { createAuditWriter } from '../../src/pipeline/audit/writer.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { AuditRecord } from '../../src/store/types.js';

const DAY_MS = 86_400_000;
const NOW = Date.now();

function record(n: number, timeMs: number): AuditRecord {
  return {
    requestId: `req_${n}`,
    timeMs,
    keyId: 'key_1',
    keyPrefix: 'bk_prod_x',
    env: 'prod',
    endpoint: '/v1/chat/completions',
    model: 'gpt-4o-mini',
    provider: 'openai',
    upstreamKeyLabel: 'openai-1',
    status: 200,
    errorCode: null,
    promptTokens: 10,
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

/** Retention: rows past the cut go to a gzip archive that verifies, and the store still does. */
describe('bastion audit archive', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-archive-'));
  const dbPath = join(dir, 'bastion.db');
  const archiveDir = join(dir, 'archive');
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, COMMANDS, {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
      env: { BASTION_STORES__SQLITE__PATH: dbPath },
      cwd: dir,
    });
    return { code, stdout: out.join(''), stderr: err.join('') };
  };

  beforeAll(async () => {
    const store = createSqliteStore({ path: dbPath });
    await store.migrate();
    // Two processes' chains: 100 and 60 days old rows, then recent ones, interleaved.
    const log = createLogger({ level: 'silent' });
    const hash = createChainHasher(undefined);
    for (const [offset, count] of [
      [0, 30],
      [100, 20],
    ] as const) {
      const writer = createAuditWriter(
        { store, log, chain: createAuditChain({ hash }) },
        { flushIntervalMs: 60_000, batchSize: 7, maxQueue: 1_000, chainHeadLogIntervalMs: 60_000 },
      );
      for (let n = 0; n < count; n++) {
        const ageDays = n < count / 2 ? 100 - n : 1;
        writer.write(record(offset + n, NOW - ageDays * DAY_MS));
      }
      await writer.drain();
      writer.stop();
    }
    await store.close();
  });

  it('archives rows past the cut, deletes them, and both the archive and the store verify', async () => {
    const archived = await run('audit', 'archive', '--before', '30d', '--dir', archiveDir);
    expect(archived.code, archived.stderr).toBe(0);
    expect(archived.stdout).toContain('archived 25 row(s) of 2 chain(s)');
    const db = new Database(dbPath, { readonly: true });
    const left = db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number };
    db.close();
    expect(left.n).toBe(25);

    const [file] = readdirSync(archiveDir);
    const path = join(archiveDir, file as string);
    const checked = await run('audit', 'verify', '--archive', path);
    expect(checked.code, checked.stdout).toBe(0);
    expect(checked.stdout).toContain('archive of 25 row(s)');
    expect(checked.stdout).toContain('intact and complete');
    // The rows left continue from the archive's heads: still intact end to end.
    const store = await run('audit', 'verify');
    expect(store.code, store.stdout).toBe(0);
    // Running it again finds nothing older than the cut.
    expect(
      (await run('audit', 'archive', '--before', '30d', '--dir', archiveDir)).stdout,
    ).toContain('nothing older');

    // An archive with a row dropped, or cut short, no longer verifies.
    const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');
    const dropped = join(dir, 'dropped.jsonl.gz');
    writeFileSync(dropped, gzipSync(lines.filter((_, i) => i !== 3).join('\n')));
    const gap = await run('audit', 'verify', '--archive', dropped);
    expect(gap.code).toBe(1);
    expect(gap.stdout).toContain('TAMPERED seq_gap');
    const short = join(dir, 'short.jsonl.gz');
    writeFileSync(short, gzipSync(lines.slice(0, 10).join('\n')));
    const cut = await run('audit', 'verify', '--archive', short);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toContain('cut short');

    // Deleting the oldest rows the store still holds shows: the chain starts at the cut.
    const rw = new Database(dbPath);
    rw.exec('DELETE FROM audit_log WHERE seq = (SELECT min(seq) FROM audit_log)');
    rw.close();
    const after = await run('audit', 'verify');
    expect(after.code).toBe(1);
    expect(after.stdout).toContain('seq_gap');
  });

  it('needs a cut: --before or audit.retention.maxAgeDays', async () => {
    const r = await run('audit', 'archive');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('audit.retention.maxAgeDays');
  });
});
