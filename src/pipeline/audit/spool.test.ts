import {
  appendFileSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../log/logger.js';
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { AuditRecord, Store } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import { createAuditChain, createChainHasher } from './chain.js';
import { createChainKeyring } from './chain-key.js';
import { openAuditSpool, parseSpool, replaySpool } from './spool.js';
import { verifyAuditChains } from './verify.js';
import { createAuditWriter } from './writer.js';

const hash = createChainHasher(undefined);
/** Above Linux's pid_max (2^22): no live process has it. */
const DEAD_PID = 4_194_305;
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
    const { spool, leftover } = await openAuditSpool(dir);
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

    // Same pid, no longer open in this process: a container restarted as pid 1.
    const reopened = await openAuditSpool(dir);
    expect(reopened.leftover.map((r) => r.chain?.seq)).toEqual([1, 2, 3, 4, 5]);
    await replaySpool({ store, log }, reopened.leftover, 2);
    // Replaying twice (a crash during the replay) stores nothing twice.
    await replaySpool({ store, log }, reopened.leftover, 2);
    await reopened.spool.dropReplayed();
    await reopened.spool.close(true);
    expect(readdirSync(dir)).toEqual([]);
    const report = await verifyAuditChains({ store, keys });
    expect(report.chains).toStrictEqual([
      expect.objectContaining({ rows: 5, fromSeq: 1, toSeq: 5, problem: null }),
    ]);
    expect(events('audit_spool_replayed')[0]).toMatchObject({ rows: 5, chains: 1 });
    // The replayed head is logged: a later cut below it shows against the log.
    expect(events('audit_chain_head')[0]).toMatchObject({ seq: 5 });
  });

  it('skips a line a crash tore in half', async () => {
    const chain = createAuditChain({ hash });
    const rows = [1, 2].map((n) => chain.link(record(n)));
    const orphan = join(dir, `${DEAD_PID}-abc123.spool`);
    writeFileSync(orphan, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    appendFileSync(orphan, JSON.stringify(chain.link(record(3))).slice(0, 40));
    const { spool, leftover } = await openAuditSpool(dir);
    expect(leftover).toEqual(rows);
    await spool.close(false);
  });

  it('gives two gateways sharing the directory a file each', async () => {
    const a = await openAuditSpool(dir);
    const b = await openAuditSpool(dir);
    expect(a.spool.path).not.toBe(b.spool.path);
    const chain = createAuditChain({ hash });
    await a.spool.append([chain.link(record(1))]);
    await b.spool.append([chain.link(record(2))]);
    expect(parseSpool(readFileSync(a.spool.path, 'utf8')).map((r) => r.requestId)).toEqual([
      'req_1',
    ]);
    expect(parseSpool(readFileSync(b.spool.path, 'utf8')).map((r) => r.requestId)).toEqual([
      'req_2',
    ]);
    // A third start finds only live files: it claims (and would replay) nothing.
    const c = await openAuditSpool(dir);
    expect(c.leftover).toEqual([]);
    expect(readdirSync(dir)).toHaveLength(3);
    for (const { spool } of [a, b, c]) await spool.close(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("replays and removes a dead gateway's file at the next start", async () => {
    const chain = createAuditChain({ hash });
    const rows = [1, 2, 3].map((n) => chain.link(record(n)));
    const orphan = join(dir, `${DEAD_PID}-deadbeef.spool`);
    writeFileSync(orphan, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const { spool, leftover } = await openAuditSpool(dir);
    expect(leftover).toEqual(rows);
    await replaySpool({ store, log }, leftover, 10);
    await spool.dropReplayed();
    expect(existsSync(orphan)).toBe(false);
    expect(readdirSync(dir)).toEqual([basename(spool.path)]);
    expect((await store.queryAudit({})).map((r) => r.requestId).sort()).toEqual([
      'req_1',
      'req_2',
      'req_3',
    ]);
    await spool.close(true);
  });

  it("never touches a live gateway's file", async () => {
    // The parent process (the test runner) is alive and is not this process.
    const live = join(dir, `${process.ppid}-cafe01.spool`);
    const chain = createAuditChain({ hash });
    const text = `${JSON.stringify(chain.link(record(1)))}\n`;
    writeFileSync(live, text);
    const { spool, leftover } = await openAuditSpool(dir);
    expect(leftover).toEqual([]);
    await spool.dropReplayed();
    await spool.close(true);
    expect(readFileSync(live, 'utf8')).toBe(text);
  });

  it('spool file grew by every row ever spooled: rows after an emptying start at byte 0', async () => {
    const { spool } = await openAuditSpool(dir);
    const chain = createAuditChain({ hash });
    await spool.append([1, 2, 3].map((n) => chain.link(record(n))));
    await spool.truncate();
    const row = chain.link(record(4));
    await spool.append([row]);
    const text = `${JSON.stringify(row)}\n`;
    expect(statSync(spool.path).size).toBe(Buffer.byteLength(text));
    expect(readFileSync(spool.path, 'utf8')).toBe(text);
    expect(spool.bytes).toBe(Buffer.byteLength(text));
    await spool.close(true);
  });

  // /proc/self/fdinfo shows the flags a file was opened with (Linux, where CI runs).
  it.runIf(process.platform === 'linux')(
    'opens its file for synchronized data appends: one write per tick is on disk when it settles',
    async () => {
      const { spool } = await openAuditSpool(dir);
      const fd = readdirSync('/proc/self/fd').find((n) => {
        try {
          return readlinkSync(`/proc/self/fd/${n}`) === spool.path;
        } catch {
          return false;
        }
      });
      const flags = /flags:\s*([0-7]+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
      const opened = Number.parseInt(flags?.[1] ?? '0', 8);
      expect(opened & constants.O_DSYNC).toBe(constants.O_DSYNC);
      expect(opened & constants.O_APPEND).toBe(constants.O_APPEND);
      await spool.close(true);
    },
  );

  it('names audit.spoolPath when the directory cannot be created', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    await expect(openAuditSpool(join(blocker, 'spool'))).rejects.toMatchObject({
      code: 'store_unavailable',
      message: expect.stringContaining('audit.spoolPath') as unknown,
    });
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
