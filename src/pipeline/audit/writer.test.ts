import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../log/logger.js';
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { AuditRecord, Store } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import { createAuditChain, createChainHasher } from './chain.js';
import { createChainKeyring } from './chain-key.js';
import { verifyAuditChains } from './verify.js';
import { createAuditWriter } from './writer.js';

const hash = createChainHasher(undefined);

function record(n: number): AuditRecord {
  return {
    requestId: `req_${n}`,
    timeMs: 1_700_000_000_000 + n,
    keyId: null,
    keyPrefix: null,
    env: null,
    endpoint: '/v1/models',
    model: null,
    provider: null,
    upstreamKeyLabel: null,
    status: 200,
    errorCode: null,
    promptTokens: null,
    completionTokens: null,
    latencyMs: 0.25,
    upstreamLatencyMs: null,
    clientIp: null,
    isStream: false,
    decisions: [],
    costMicroUsd: null,
    userId: null,
    team: null,
  };
}

describe('audit writer: hash chain', () => {
  let store: Store;
  let nowMs: number;
  const clock: Clock = { now: () => nowMs, monotonicMs: () => nowMs };
  const lines: string[] = [];
  const log = createLogger({ level: 'info', destination: { write: (s) => lines.push(s) } });
  const heads = () =>
    lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['event'] === 'audit_chain_head');

  beforeEach(async () => {
    nowMs = 0;
    lines.length = 0;
    store = createSqliteStore({ path: ':memory:' });
    await store.migrate();
  });
  afterEach(() => store.close());

  it('logs the chain head at the first write, once the interval has passed, and at drain', async () => {
    const chain = createAuditChain({ hash });
    const writer = createAuditWriter(
      { store, log, chain, clock },
      { flushIntervalMs: 60_000, batchSize: 10, maxQueue: 100, chainHeadLogIntervalMs: 1_000 },
    );
    writer.write(record(1));
    await writer.flushQueued();
    // A crash right after the first write still leaves an anchor outside the database.
    expect(heads()).toStrictEqual([
      expect.objectContaining({ chainId: chain.chainId, seq: 1, level: 'info' }),
    ]);
    writer.write(record(2));
    await writer.flushQueued();
    expect(heads()).toHaveLength(1);
    nowMs = 1_000;
    writer.write(record(3));
    await writer.flushQueued();
    expect(heads()[1]).toMatchObject({ chainId: chain.chainId, seq: 3 });
    await writer.drain();
    writer.stop();
    expect(heads()).toHaveLength(3);
    expect(heads()[2]).toMatchObject({ seq: 3 });
    expect(heads()[2]?.['hash']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('retries a failed batch with the same links: no gap, no duplicate, and drain does not reject while it fails', async () => {
    let failures = 1;
    const flaky: Store = {
      ...store,
      appendAudit: async (records) => {
        await store.appendAudit(records);
        // The commit happened but the reply was lost: the writer must retry safely.
        if (failures-- > 0) throw new Error('connection reset');
      },
    };
    const writer = createAuditWriter(
      { store: flaky, log, chain: createAuditChain({ hash }), clock },
      { flushIntervalMs: 60_000, batchSize: 2, maxQueue: 100, chainHeadLogIntervalMs: 1_000 },
    );
    for (const n of [1, 2, 3]) writer.write(record(n));
    await writer.drain();
    writer.stop();
    const report = await verifyAuditChains({ store, keys: createChainKeyring(undefined, []) });
    expect(report.chains).toStrictEqual([
      expect.objectContaining({ rows: 3, fromSeq: 1, toSeq: 3, problem: null }),
    ]);
  });

  it('sync: a store that is down is retried on the flush timer, not in a loop of immediates', async () => {
    let calls = 0;
    const down: Store = {
      ...store,
      appendAudit: () => {
        calls += 1;
        return Promise.reject(new Error('database is locked'));
      },
    };
    const writer = createAuditWriter(
      { store: down, log, chain: createAuditChain({ hash }) },
      {
        flushIntervalMs: 50,
        batchSize: 10,
        maxQueue: 100,
        chainHeadLogIntervalMs: 1_000,
        durability: 'sync',
        syncTimeoutMs: 300,
      },
    );
    await expect(writer.writeStored(record(1))).rejects.toMatchObject({
      code: 'store_unavailable',
    });
    writer.stop();
    // About one try per flush interval; the loop it replaces made thousands in that time.
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThan(20);
  });

  it('after close, a row is refused at once and said in the log, and the closed store is not called', async () => {
    let calls = 0;
    const counted: Store = {
      ...store,
      appendAudit: (records) => {
        calls += 1;
        return store.appendAudit(records);
      },
    };
    const writer = createAuditWriter(
      { store: counted, log, chain: createAuditChain({ hash }) },
      {
        flushIntervalMs: 60_000,
        batchSize: 10,
        maxQueue: 100,
        chainHeadLogIntervalMs: 1_000,
        durability: 'sync',
      },
    );
    await writer.writeStored(record(1));
    await writer.close();
    const before = calls;
    await expect(writer.writeStored(record(2))).rejects.toMatchObject({
      code: 'store_unavailable',
    });
    writer.write(record(3));
    expect(calls).toBe(before);
    const unwritten = lines.filter((l) => l.includes('"event":"audit_rows_unwritten"'));
    expect(unwritten).toHaveLength(2);
  });
});
