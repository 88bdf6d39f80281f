import type { AuditRecord, AuditStore, UnchainedAudit } from '../../store/types.js';
import { GENESIS_HASH, type ChainHasher } from './chain.js';

/** The first thing wrong with a chain, walking it in seq order. */
export type ChainProblem =
  /** The record's fields (or its hash) were changed after it was written. */
  | { kind: 'hash_mismatch'; seq: number; requestId: string }
  /** Records are missing: deleted, or the chain's head rows removed. */
  | { kind: 'seq_gap'; expectedSeq: number; foundSeq: number }
  /** Two rows claim one place in the chain. */
  | { kind: 'seq_duplicate'; seq: number; requestId: string }
  /** The record does not follow the one before it: reordered, or spliced in from elsewhere. */
  | { kind: 'prev_hash_mismatch'; seq: number; requestId: string };

export interface ChainReport {
  chainId: string;
  rows: number;
  fromSeq: number;
  toSeq: number;
  /** Earliest and latest `timeMs` among the chain's rows. */
  fromMs: number;
  toMs: number;
  problem: ChainProblem | null;
}

export interface VerifyReport {
  isIntact: boolean;
  chains: ChainReport[];
  unchained: UnchainedAudit;
}

export interface VerifyOptions {
  /**
   * Verify from each chain's first row at or after this time (the row before it is trusted).
   * Absent: every chain from seq 1 and the genesis hash.
   */
  sinceMs?: number;
  /** Rows read per query. */
  pageSize?: number;
}

type ChainReader = Pick<AuditStore, 'listAuditChains' | 'readAuditChain' | 'unchainedAudit'>;

/** Walks every chain in seq order and reports, per chain, ok or the first problem found. */
export async function verifyAuditChains(
  deps: { store: ChainReader; hash: ChainHasher },
  opts: VerifyOptions = {},
): Promise<VerifyReport> {
  const pageSize = opts.pageSize ?? 1_000;
  const chains: ChainReport[] = [];
  for (const start of await deps.store.listAuditChains(opts.sinceMs)) {
    const fromSeq = opts.sinceMs === undefined ? 1 : start.fromSeq;
    const check = createLinkCheck(deps.hash, start.chainId, fromSeq, opts.sinceMs === undefined);
    const report: ChainReport = {
      chainId: start.chainId,
      rows: 0,
      fromSeq: Number.NaN,
      toSeq: Number.NaN,
      fromMs: Number.POSITIVE_INFINITY,
      toMs: Number.NEGATIVE_INFINITY,
      problem: null,
    };
    let afterSeq = fromSeq - 1;
    for (;;) {
      const page = await deps.store.readAuditChain(start.chainId, afterSeq, pageSize);
      for (const row of page) {
        const seq = row.chain?.seq ?? Number.NaN;
        if (report.rows === 0) report.fromSeq = seq;
        report.rows += 1;
        report.toSeq = seq;
        report.fromMs = Math.min(report.fromMs, row.timeMs);
        report.toMs = Math.max(report.toMs, row.timeMs);
        // After the first problem the rest is only counted: later links cannot be trusted.
        report.problem ??= check(row);
        afterSeq = seq;
      }
      if (page.length < pageSize) break;
    }
    chains.push(report);
  }
  const unchained = await deps.store.unchainedAudit(opts.sinceMs);
  return { isIntact: chains.every((c) => c.problem === null), chains, unchained };
}

/** Checks rows handed over in seq order: seq continuity, then the link, then the hash. */
function createLinkCheck(
  hash: ChainHasher,
  chainId: string,
  fromSeq: number,
  isFromGenesis: boolean,
): (row: AuditRecord) => ChainProblem | null {
  let expectedSeq = fromSeq;
  /** Undefined until the first row when verifying from a time: that row's prev is trusted. */
  let prevHash: string | undefined = isFromGenesis ? GENESIS_HASH : undefined;
  return function checkLink(row) {
    const { requestId } = row;
    const link = row.chain;
    if (link === undefined) return { kind: 'hash_mismatch', seq: expectedSeq, requestId };
    if (link.seq > expectedSeq) {
      return { kind: 'seq_gap', expectedSeq, foundSeq: link.seq };
    }
    if (link.seq < expectedSeq) return { kind: 'seq_duplicate', seq: link.seq, requestId };
    if (prevHash !== undefined && link.prevHash !== prevHash) {
      return { kind: 'prev_hash_mismatch', seq: link.seq, requestId };
    }
    if (hash(row, { chainId, seq: link.seq, prevHash: link.prevHash }) !== link.hash) {
      return { kind: 'hash_mismatch', seq: link.seq, requestId };
    }
    expectedSeq += 1;
    prevHash = link.hash;
    return null;
  };
}
