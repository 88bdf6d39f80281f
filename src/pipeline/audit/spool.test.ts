import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../log/logger.js';
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { AuditRecord, Store } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import { createAuditChain, createChainHasher } from './chain.js';
import { createChainKeyring } from './chain-key.js';
import { openAuditSpool, replaySpool } from './spool.js';
import { verifyAuditChains } from './verify.js';
import { createAuditWriter } from './writer.js';

const hash = createChainHasher(undefined);
const keys = createChainKeyring(undefined, []);

function record(n: number): AuditRecord {
  return {
    requestId: `req_${n}`,
    timeMs: 1_700_000_000_000 + n,
    keyId: null,
    keyPrefix: null,
    env: null,
    endpoint: '/v1/chat/completions',
    model: 'gpt-4o-mini',
    provider: 'openai',
    upstreamKeyLabel: null,
    status: 200,
    errorCode: null,
    promptTokens: 12,
    completionTokens: 3,
    latencyMs: 1.234567,
    upstreamLatencyMs: 0.5,
    clientIp: '127.0.0.1',
    isStream: false,
    decisions: [{ stage: 'guard_pii', action: 'redact', type: 'email', count: 1 }],
    costMicroUsd: 7,
    userId: null,
    team: null,
  };
}

const lines: string[] = [];
const log = createLogger({ level: 'info', destination: { write: (s) => lines.push(s) } });
const events = (name: string) =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['event'] === name);

/** A store that is down: nothing reaches it, every row must wait (in memory, or the spool). */
const down: Pick<Store, 'appendAudit'> = {
  appendAudit: () => Promise.reject(new Error('connection refused')),
};

describe('audit spool', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    lines.length = 0;
    dir = mkdtempSync(join(tmpdir(), 'bastion-spool-'));
    store = createSqliteStore({ path: ':memory:' });
    await store.migrate();
  });
  afterEach(() => store.close());

  it('keeps the rows a store outage held at shutdown, and the next start replays them as a chain that verifies', async () => {
    const path = join(dir, 'audit.spool');
    const { spool, leftover } = await openAuditSpool(path);
    expect(leftover).toEqual([]);
    const writer = createAuditWriter(
      { store: { ...store, ...down }, log, chain: createAuditChain({ hash }), spool },
      {
        flushIntervalMs: 60_000,
        batchSize: 10,
        maxQueue: 100,
        chainHeadLogIntervalMs: 1_000,
        durability: 'spooled',
        spoolIntervalMs: 60_000,
      },
    );
    for (const n of [1, 2, 3, 4, 5]) writer.write(record(n));
    await writer.close(100);

    const reopened = await openAuditSpool(path);
    expect(reopened.leftover.map((r) => r.chain?.seq)).toEqual([1, 2, 3, 4, 5]);
    await replaySpool({ store, log }, reopened.leftover, 2);
    // Replaying twice (a crash during the replay) stores nothing twice.
    await replaySpool({ store, log }, reopened.leftover, 2);
    await reopened.spool.close(true);
    const report = await verifyAuditChains({ store, keys });
    expect(report.chains).toStrictEqual([
      expect.objectContaining({ rows: 5, fromSeq: 1, toSeq: 5, problem: null }),
    ]);
    expect(events('audit_spool_replayed')[0]).toMatchObject({ rows: 5, chains: 1 });
    // The replayed head is logged: a later cut below it shows against the log.
    expect(events('audit_chain_head')[0]).toMatchObject({ seq: 5 });
  });

  it('skips a line a crash tore in half', async () => {
    const path = join(dir, 'audit.spool');
    const chain = createAuditChain({ hash });
    const rows = [1, 2].map((n) => chain.link(record(n)));
    writeFileSync(path, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    appendFileSync(path, JSON.stringify(chain.link(record(3))).slice(0, 40));
    const { spool, leftover } = await openAuditSpool(path);
    expect(leftover).toEqual(rows);
    await spool.close(false);
  });

  it('refuses a spool another gateway holds, and takes over one a dead process left', async () => {
    const path = join(dir, 'audit.spool');
    const { spool } = await openAuditSpool(path);
    await expect(openAuditSpool(path)).rejects.toMatchObject({ code: 'store_unavailable' });
    await spool.close(true);
    // pid 2^22+1 is above Linux's pid_max: no live process has it.
    writeFileSync(`${path}.lock`, String(4_194_305));
    const taken = await openAuditSpool(path);
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(String(process.pid));
    await taken.spool.close(true);
  });
});

describe('audit writer: sync durability', () => {
  let store: Store;
  let nowMs = 0;
  const clock: Clock = { now: () => nowMs, monotonicMs: () => nowMs };
  beforeEach(async () => {
    store = createSqliteStore({ path: ':memory:' });
    await store.migrate();
  });
  afterEach(() => store.close());

  it('settles a write once its row is in the store', async () => {
    const writer = createAuditWriter(
      { store, log, chain: createAuditChain({ hash }), clock },
      {
        flushIntervalMs: 60_000,
        batchSize: 10,
        maxQueue: 100,
        chainHeadLogIntervalMs: 1_000,
        durability: 'sync',
      },
    );
    await Promise.all([1, 2, 3].map((n) => writer.writeStored(record(n))));
    expect((await store.queryAudit({})).map((r) => r.requestId).sort()).toEqual([
      'req_1',
      'req_2',
      'req_3',
    ]);
    writer.stop();
  });

  it('rejects with store_unavailable when the row cannot be stored in time', async () => {
    const writer = createAuditWriter(
      { store: { ...store, ...down }, log, chain: createAuditChain({ hash }), clock },
      {
        flushIntervalMs: 5,
        batchSize: 10,
        maxQueue: 100,
        chainHeadLogIntervalMs: 1_000,
        durability: 'sync',
        syncTimeoutMs: 1_000,
      },
    );
    const done = writer.writeStored(record(1));
    nowMs = 1_000;
    await expect(done).rejects.toMatchObject({ code: 'store_unavailable' });
    // The row is not dropped: it waits for the store like any other.
    expect(writer.queued).toBe(1);
    writer.stop();
  });
});
