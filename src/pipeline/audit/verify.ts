import type {
  AuditChainStart,
  AuditCut,
  AuditRecord,
  AuditStore,
  UnchainedAudit,
} from '../../store/types.js';
import { GENESIS_HASH, type ChainHasher } from './chain.js';
import type { ChainKeyring } from './chain-key.js';

/** The first thing wrong with a chain, walking it in seq order. */
export type ChainProblem =
  /** The record's fields (or its hash) were changed after it was written. */
  | { kind: 'hash_mismatch'; seq: number; requestId: string }
  /** Records are missing: deleted, or the chain's head rows removed. */
  | { kind: 'seq_gap'; expectedSeq: number; foundSeq: number }
  /** Two rows claim one place in the chain. */
  | { kind: 'seq_duplicate'; seq: number; requestId: string }
  /** The record does not follow the one before it: reordered, or spliced in from elsewhere. */
  | { kind: 'prev_hash_mismatch'; seq: number; requestId: string }
  /** The chain names a key that is neither `audit.chainKey` nor in `audit.previousChainKeys`. */
  | { kind: 'unknown_key'; keyId: string };

/** A chain head the gateway logged (`audit_chain_head`) that the store no longer matches. */
export type HeadProblem =
  /** No row at the logged seq: the chain was cut below it, or deleted. */
  | { kind: 'head_missing'; chainId: string; seq: number }
  /** The row at the logged seq has another hash: the chain was rewritten. */
  | { kind: 'head_mismatch'; chainId: string; seq: number };

/** A chain head as the gateway logs it, kept outside the database by the operator. */
export interface LoggedHead {
  chainId: string;
  seq: number;
  hash: string;
}

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
  /**
   * Set when verifying from a time: each chain starts at its first row at or after it, and that
   * row's prev hash is trusted, not checked against the row before it.
   */
  sinceMs?: number;
  chains: ChainReport[];
  unchained: UnchainedAudit;
  /** Present when logged heads were given: how many were checked, and each that failed. */
  heads?: { checked: number; problems: HeadProblem[] };
}

export interface VerifyOptions {
  /**
   * Verify from each chain's first row at or after this time (the row before it is trusted).
   * Absent: every chain from seq 1 and the genesis hash.
   */
  sinceMs?: number;
  /** Rows read per query. */
  pageSize?: number;
  /** Chain heads from the gateway's log: a chain truncated below one of them is reported. */
  heads?: readonly LoggedHead[];
  /** Called after each page: rows verified so far, and the rows there are to verify. */
  onProgress?: (rowsDone: number, rowsTotal: number) => void;
}

type ChainReader = Pick<
  AuditStore,
  'listAuditChains' | 'readAuditChain' | 'unchainedAudit' | 'listAuditCuts'
>;

interface VerifyDeps {
  store: ChainReader;
  keys: Pick<ChainKeyring, 'candidates'>;
}

/**
 * Walks every chain in seq order, page by page (keyset on the chain index), and reports, per
 * chain, ok or the first problem found; then checks any logged heads against the store. A
 * chain's rows are never held together: memory is one page plus the previous row's hash and
 * seq, whatever the size of the log.
 */
export async function verifyAuditChains(
  deps: VerifyDeps,
  opts: VerifyOptions = {},
): Promise<VerifyReport> {
  const chains: ChainReport[] = [];
  // Archived heads (bastion audit archive): the chain continues from the cut's seq and hash.
  const cuts = new Map((await deps.store.listAuditCuts()).map((c) => [c.chainId, c]));
  const starts = await deps.store.listAuditChains(opts.sinceMs);
  const progress = { done: 0, total: 0 };
  for (const s of starts) progress.total += s.toSeq - startSeq(s, cuts.get(s.chainId), opts) + 1;
  for (const start of starts) {
    chains.push(await verifyChain(deps, start, cuts.get(start.chainId), opts, progress));
  }
  const unchained = await deps.store.unchainedAudit(opts.sinceMs);
  const report: VerifyReport = {
    isIntact: chains.every((c) => c.problem === null),
    ...(opts.sinceMs === undefined ? {} : { sinceMs: opts.sinceMs }),
    chains,
    unchained,
  };
  if (opts.heads !== undefined) {
    report.heads = await checkHeads(deps.store, opts.heads);
    report.isIntact &&= report.heads.problems.length === 0;
  }
  return report;
}

/** Where a chain's walk starts: after its archive cut, or at its first row since the time. */
function startSeq(start: AuditChainStart, cut: AuditCut | undefined, opts: VerifyOptions): number {
  return opts.sinceMs === undefined ? (cut?.toSeq ?? 0) + 1 : start.fromSeq;
}

async function verifyChain(
  deps: VerifyDeps,
  start: AuditChainStart,
  cut: AuditCut | undefined,
  opts: VerifyOptions,
  progress: { done: number; total: number },
): Promise<ChainReport> {
  const pageSize = opts.pageSize ?? 1_000;
  const fromSeq = startSeq(start, cut, opts);
  const prevHash = opts.sinceMs === undefined ? (cut?.toHash ?? GENESIS_HASH) : undefined;
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
  let page = await deps.store.readAuditChain(start.chainId, afterSeq, pageSize);
  const { keyId, hashers } = deps.keys.candidates(start.chainId);
  if (hashers.length === 0 && keyId !== undefined) report.problem = { kind: 'unknown_key', keyId };
  const check = createLinkCheck(pickHasher(hashers, page[0]), start.chainId, fromSeq, prevHash);
  for (;;) {
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
    if (page.length > 0) {
      progress.done += page.length;
      opts.onProgress?.(progress.done, Math.max(progress.total, progress.done));
    }
    if (page.length < pageSize) return report;
    page = await deps.store.readAuditChain(start.chainId, afterSeq, pageSize);
  }
}

/**
 * Of the hashers a chain may use, the one its first row verifies with (several only for chains
 * written before chain ids named their key). None matching: the first, which names the row.
 */
export function pickHasher(hashers: ChainHasher[], first: AuditRecord | undefined): ChainHasher {
  const link = first?.chain;
  if (hashers.length === 0) return () => '';
  if (hashers.length === 1 || first === undefined || link === undefined) {
    return hashers[0] as ChainHasher;
  }
  return hashers.find((h) => h(first, link) === link.hash) ?? (hashers[0] as ChainHasher);
}

/** The highest logged head per chain must still be in the store with the hash logged. */
async function checkHeads(
  store: ChainReader,
  heads: readonly LoggedHead[],
): Promise<{ checked: number; problems: HeadProblem[] }> {
  const latest = new Map<string, LoggedHead>();
  for (const h of heads) {
    if (h.seq > (latest.get(h.chainId)?.seq ?? 0)) latest.set(h.chainId, h);
  }
  const problems: HeadProblem[] = [];
  for (const head of latest.values()) {
    const [row] = await store.readAuditChain(head.chainId, head.seq - 1, 1);
    const { chainId, seq } = head;
    if (row?.chain?.seq !== seq) problems.push({ kind: 'head_missing', chainId, seq });
    else if (row.chain.hash !== head.hash) problems.push({ kind: 'head_mismatch', chainId, seq });
  }
  return { checked: latest.size, problems };
}

/** Checks rows handed over in seq order: seq continuity, then the link, then the hash. */
export function createLinkCheck(
  hash: ChainHasher,
  chainId: string,
  fromSeq: number,
  /** Undefined: the first row's prev hash is trusted (verifying from a time). */
  fromPrevHash: string | undefined,
): (row: AuditRecord) => ChainProblem | null {
  let expectedSeq = fromSeq;
  let prevHash = fromPrevHash;
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
