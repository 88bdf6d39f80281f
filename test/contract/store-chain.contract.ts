/**
 * The hash-chain half of the store contract: rows written by the audit writer verify as written
 * and read back, and tampering done in SQL behind the store's back is found and named.
 * `runStoreContract` runs it for every implementation.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import {
  createAuditChain,
  createChainHasher,
  type ChainHasher,
} from '../../src/pipeline/audit/chain.js';
import { createChainKeyring, type ChainKeyring } from '../../src/pipeline/audit/chain-key.js';
import { verifyAuditChains } from '../../src/pipeline/audit/verify.js';
import { createAuditWriter } from '../../src/pipeline/audit/writer.js';
import type { AuditRecord, Store } from '../../src/store/types.js';
import { audit } from './store.contract.js';

export interface ChainContractContext {
  store: Store;
  /** Another store on the same database, as a second replica would open it. */
  openSecond(): Store;
  /** Runs SQL on the database directly, as someone with write access to it could. */
  exec(sqlText: string): Promise<void>;
}

const KEY = Buffer.from('contract-chain-key-0123456789abcdef0123456789');
const plain = createChainHasher(undefined);
const plainKeys = createChainKeyring(undefined, []);
const keyedKeys = createChainKeyring(KEY, []);

/** Writes `records` through a real audit writer (batches of 2) and drains it. */
async function writeChained(
  store: Store,
  records: readonly AuditRecord[],
  hash: ChainHasher = plain,
  logLines: string[] = [],
): Promise<string> {
  const chain = createAuditChain({ hash });
  const log = createLogger({ level: 'info', destination: { write: (s) => logLines.push(s) } });
  const writer = createAuditWriter(
    { store, log, chain },
    { flushIntervalMs: 60_000, batchSize: 2, maxQueue: 1_000, chainHeadLogIntervalMs: 60_000 },
  );
  for (const r of records) writer.write(r);
  await writer.drain();
  writer.stop();
  return chain.chainId;
}

const five = (): AuditRecord[] => [1, 2, 3, 4, 5].map((n) => audit(n));

export function describeStoreChainContract(get: () => ChainContractContext): void {
  describe('audit hash chain', () => {
    let store: Store;
    const exec = (sqlText: string) => get().exec(sqlText);
    const verify = (keys: ChainKeyring = plainKeys, sinceMs?: number) =>
      verifyAuditChains({ store, keys }, sinceMs === undefined ? {} : { sinceMs });

    beforeEach(async () => {
      store = get().store;
      await store.migrate();
    });

    it('verifies a chain as the writer wrote it, and logs its head at drain', async () => {
      const lines: string[] = [];
      const chainId = await writeChained(store, five(), plain, lines);
      const report = await verify();
      expect(report.isIntact).toBe(true);
      expect(report.chains).toStrictEqual([
        {
          chainId,
          rows: 5,
          fromSeq: 1,
          toSeq: 5,
          fromMs: audit(1).timeMs,
          toMs: audit(5).timeMs,
          problem: null,
        },
      ]);
      expect(report.unchained.rows).toBe(0);
      const [last] = await store.readAuditChain(chainId, 4, 10);
      const heads = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(heads.filter((h) => h['event'] === 'audit_chain_head').at(-1)).toMatchObject({
        chainId,
        seq: 5,
        hash: last?.chain?.hash,
      });
      // queryAudit still answers audited fields only.
      expect(await store.queryAudit({ limit: 1 })).toStrictEqual([audit(5)]);
    });

    it('encodes awkward values alike as written and as read back', async () => {
      const awkward = audit(1, {
        latencyMs: 0.1 + 0.2,
        upstreamLatencyMs: 1e-7,
        isStream: true,
        model: 'm\ud800odel',
        env: null,
        keyId: null,
        costMicroUsd: 9_007_199_254_740_991,
        decisions: [
          { detail: 'd', score: 0.123456789012345, action: 'flag', stage: 'guard_injection' },
          { stage: 'guard_pii', action: 'redact', type: 'email', count: 2 },
        ],
      });
      const sparse = audit(2, { promptTokens: null, completionTokens: null, costMicroUsd: null });
      await writeChained(store, [awkward, sparse]);
      expect((await verify()).isIntact).toBe(true);
    });

    it('names an edited status and edited tokens as hash_mismatch at their seq', async () => {
      await writeChained(store, five());
      await exec('UPDATE audit_log SET status = 500 WHERE chain_seq = 3');
      expect((await verify()).chains[0]?.problem).toMatchObject({
        kind: 'hash_mismatch',
        seq: 3,
        requestId: 'req_3',
      });
      await exec('UPDATE audit_log SET status = 200 WHERE chain_seq = 3');
      expect((await verify()).isIntact).toBe(true);
      await exec('UPDATE audit_log SET prompt_tokens = 1 WHERE chain_seq = 4');
      const report = await verify();
      expect(report.isIntact).toBe(false);
      expect(report.chains[0]?.problem).toMatchObject({ kind: 'hash_mismatch', seq: 4 });
      expect(report.chains[0]?.rows).toBe(5);
    });

    it('names a deleted middle row, and deleted first rows, as seq_gap', async () => {
      await writeChained(store, five());
      await exec('DELETE FROM audit_log WHERE chain_seq = 3');
      expect((await verify()).chains[0]?.problem).toStrictEqual({
        kind: 'seq_gap',
        expectedSeq: 3,
        foundSeq: 4,
      });
      await exec('DELETE FROM audit_log WHERE chain_seq <= 2');
      expect((await verify()).chains[0]?.problem).toStrictEqual({
        kind: 'seq_gap',
        expectedSeq: 1,
        foundSeq: 4,
      });
    });

    it('names swapped rows as prev_hash_mismatch', async () => {
      await writeChained(store, five());
      await exec('UPDATE audit_log SET chain_seq = -2 WHERE chain_seq = 2');
      await exec('UPDATE audit_log SET chain_seq = 2 WHERE chain_seq = 3');
      await exec('UPDATE audit_log SET chain_seq = 3 WHERE chain_seq = -2');
      expect((await verify()).chains[0]?.problem).toMatchObject({
        kind: 'prev_hash_mismatch',
        seq: 2,
        requestId: 'req_3',
      });
    });

    it('verifies two writers whose chains interleave in one table', async () => {
      const second = get().openSecond();
      try {
        const [a, b] = await Promise.all([
          writeChained(store, five()),
          writeChained(
            second,
            [6, 7, 8, 9].map((n) => audit(n)),
          ),
        ]);
        const report = await verify();
        expect(report.isIntact).toBe(true);
        expect(report.chains.map((c) => [c.chainId, c.rows]).sort()).toStrictEqual(
          [
            [a, 5],
            [b, 4],
          ].sort(),
        );
      } finally {
        await second.close();
      }
    });

    it('reports rows written without a chain as unchained, not as tampering', async () => {
      await store.appendAudit([audit(1), audit(2)]);
      await writeChained(store, [audit(3)]);
      const report = await verify();
      expect(report.isIntact).toBe(true);
      expect(report.chains).toHaveLength(1);
      expect(report.unchained).toStrictEqual({
        rows: 2,
        fromMs: audit(1).timeMs,
        toMs: audit(2).timeMs,
      });
    });

    it('with a key, refuses a chain rewritten without it (plain SHA-256)', async () => {
      const keyed = createChainHasher(KEY);
      const chainId = await writeChained(store, five(), keyed);
      expect((await verify(keyedKeys)).isIntact).toBe(true);
      expect((await verify(plainKeys)).isIntact).toBe(false);
      // Edit a row, then recompute every link as a database writer without the key can.
      await exec('UPDATE audit_log SET status = 403 WHERE chain_seq = 2');
      const forged = createAuditChain({ hash: plain, chainId });
      for (const row of await store.readAuditChain(chainId, 0, 10)) {
        const link = forged.link(row).chain;
        await exec(
          `UPDATE audit_log SET prev_hash = '${link.prevHash}', hash = '${link.hash}' ` +
            `WHERE chain_id = '${chainId}' AND chain_seq = ${link.seq}`,
        );
      }
      expect((await verify(plainKeys)).isIntact).toBe(true);
      expect((await verify(keyedKeys)).chains[0]?.problem).toMatchObject({
        kind: 'hash_mismatch',
        seq: 1,
      });
    });

    it('after a key rotation, chains written under either key verify, and a row re-signed with the wrong key is named', async () => {
      const oldKey = Buffer.from('contract-old-chain-key-0123456789abcdef012345');
      const write = async (key: Buffer, records: AuditRecord[]) => {
        const keys = createChainKeyring(key, []);
        const chain = createAuditChain({ hash: keys.current, keyId: keys.currentKeyId });
        const writer = createAuditWriter(
          { store, log: createLogger({ level: 'silent' }), chain },
          { flushIntervalMs: 60_000, batchSize: 2, maxQueue: 100, chainHeadLogIntervalMs: 60_000 },
        );
        for (const r of records) writer.write(r);
        await writer.drain();
        writer.stop();
        return chain.chainId;
      };
      const before = await write(oldKey, [audit(1), audit(2)]);
      const after = await write(KEY, [audit(3), audit(4), audit(5)]);
      expect(before).not.toBe(after);
      const rotated = createChainKeyring(KEY, [oldKey]);
      expect((await verify(rotated)).isIntact).toBe(true);
      // Without the old key its chain cannot be verified, and says which key it needs.
      const report = await verify(keyedKeys);
      expect(report.isIntact).toBe(false);
      const oldKeyId = createChainKeyring(oldKey, []).currentKeyId;
      expect(report.chains.find((c) => c.chainId === before)?.problem).toStrictEqual({
        kind: 'unknown_key',
        keyId: oldKeyId,
      });
      expect(report.chains.find((c) => c.chainId === after)?.problem).toBeNull();
      // A writer holding only the old key edits a new row and signs it with the key it has.
      await exec(`UPDATE audit_log SET status = 403 WHERE chain_id = '${after}' AND chain_seq = 2`);
      const [row] = await store.readAuditChain(after, 1, 1);
      const link = row?.chain;
      if (row === undefined || link === undefined) throw new Error('row 2 missing');
      const forged = createChainKeyring(oldKey, []).current(row, link);
      await exec(
        `UPDATE audit_log SET hash = '${forged}' WHERE chain_id = '${after}' AND chain_seq = 2`,
      );
      const tampered = await verify(rotated);
      expect(tampered.chains.find((c) => c.chainId === after)?.problem).toStrictEqual({
        kind: 'hash_mismatch',
        seq: 2,
        requestId: audit(4).requestId,
      });
      expect(tampered.chains.find((c) => c.chainId === before)?.problem).toBeNull();
    });

    it('reports a chain cut below a logged head, which the chain alone cannot show', async () => {
      const lines: string[] = [];
      const chainId = await writeChained(store, five(), plain, lines);
      const heads = lines
        .map((l) => JSON.parse(l) as { event?: string; chainId: string; seq: number; hash: string })
        .filter((l) => l.event === 'audit_chain_head');
      expect(heads.at(-1)).toMatchObject({ chainId, seq: 5 });
      const withHeads = () => verifyAuditChains({ store, keys: plainKeys }, { heads });
      expect((await withHeads()).isIntact).toBe(true);
      await exec(`DELETE FROM audit_log WHERE chain_id = '${chainId}' AND chain_seq >= 4`);
      // The remaining rows still link up: only the head logged elsewhere shows the loss.
      expect((await verify()).isIntact).toBe(true);
      const cut = await withHeads();
      expect(cut.isIntact).toBe(false);
      expect(cut.heads).toStrictEqual({
        checked: 1,
        problems: [{ kind: 'head_missing', chainId, seq: 5 }],
      });
    });

    it('verifies from a time, trusting the row before it', async () => {
      await writeChained(store, five());
      await exec('DELETE FROM audit_log WHERE chain_seq = 1');
      expect((await verify()).isIntact).toBe(false);
      const report = await verify(plainKeys, audit(2).timeMs);
      expect(report.isIntact).toBe(true);
      expect(report.chains[0]).toMatchObject({ rows: 4, fromSeq: 2, toSeq: 5 });
    });

    it('cuts a long chain in batches, and verify continues from the cut with its progress', async () => {
      // Past the store's 10,000-row delete batch, so the cut takes several transactions.
      const chain = createAuditChain({ hash: plain });
      const rows = Array.from({ length: 25_000 }, (_, i) => chain.link(audit(i + 1)));
      for (let i = 0; i < rows.length; i += 5_000) {
        await store.appendAudit(rows.slice(i, i + 5_000));
      }
      const { chainId } = chain;
      expect(await store.listAuditChains()).toStrictEqual([{ chainId, fromSeq: 1, toSeq: 25_000 }]);
      const toHash = rows[21_999]?.chain.hash ?? '';
      await store.cutAuditChain({ chainId, toSeq: 22_000, toHash }, Date.now());
      expect(await store.listAuditCuts()).toStrictEqual([{ chainId, toSeq: 22_000, toHash }]);
      expect(await store.listAuditChains()).toStrictEqual([
        { chainId, fromSeq: 22_001, toSeq: 25_000 },
      ]);
      const progress: [number, number][] = [];
      const report = await verifyAuditChains(
        { store, keys: plainKeys },
        { onProgress: (done, total) => progress.push([done, total]) },
      );
      expect(report.isIntact).toBe(true);
      expect(report.chains[0]).toMatchObject({ rows: 3_000, fromSeq: 22_001, toSeq: 25_000 });
      expect(progress).toStrictEqual([
        [1_000, 3_000],
        [2_000, 3_000],
        [3_000, 3_000],
      ]);
    });

    it('stores a retried batch once', async () => {
      const chain = createAuditChain({ hash: plain });
      const batch = [chain.link(audit(1)), chain.link(audit(2))];
      await store.appendAudit(batch);
      await store.appendAudit(batch);
      const report = await verify();
      expect(report.chains[0]).toMatchObject({ rows: 2, problem: null });
    });
  });
}
