import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { AuditCut, AuditRecord, AuditStore } from '../../store/types.js';
import type { ChainHasher } from './chain.js';
import type { ChainKeyring } from './chain-key.js';
import { createLinkCheck, pickHasher, type ChainProblem } from './verify.js';

/*
 * Audit archives (docs/audit.md, retention): the rows of each chain older than a cut, as gzip'd
 * JSON lines, then deleted from the store. Each archive holds a prefix of every chain it covers
 * and, per chain, the head it ends on; the store records that head as the chain's cut, so the
 * rows left continue from it and `audit verify` still walks each chain end to end. A line per
 * kind: `header`, `row` (the record, chain link included), `head` (one per chain), `end`.
 */

const FORMAT = 'bastion.audit.archive.v1';
/** Rows between two progress calls of `verifyArchive`. */
const PROGRESS_ROWS = 1_000;

/** One chain's part of an archive: rows fromSeq..toSeq, the first following `fromPrevHash`. */
export interface ArchiveHead {
  chainId: string;
  fromSeq: number;
  fromPrevHash: string;
  toSeq: number;
  toHash: string;
  rows: number;
}

export interface ArchiveResult {
  path: string;
  cutMs: number;
  rows: number;
  heads: ArchiveHead[];
}

type ArchiveStore = Pick<
  AuditStore,
  'listAuditChains' | 'readAuditChain' | 'listAuditCuts' | 'cutAuditChain'
>;

/**
 * Writes every chain's rows up to its first row at or after `cutMs` to one archive in `dir`
 * (fsync'd, then read back and verified), and only then deletes them from the store. Undefined
 * when nothing is older than the cut.
 */
export async function archiveAudit(
  deps: { store: ArchiveStore; keys: Pick<ChainKeyring, 'candidates'>; nowMs: number },
  opts: {
    cutMs: number;
    dir: string;
    pageSize?: number;
    /** Called after each page written: rows archived so far. */
    onProgress?: (rowsDone: number) => void;
  },
): Promise<ArchiveResult | undefined> {
  const pageSize = opts.pageSize ?? 1_000;
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  const stamp = new Date(opts.cutMs).toISOString().replace(/[:.]/g, '-');
  const path = join(opts.dir, `audit-until-${stamp}-${deps.nowMs}.jsonl.gz`);
  const partial = `${path}.partial`;
  const gzip = createGzip();
  const file = createWriteStream(partial, { mode: 0o600 });
  gzip.pipe(file);
  let rows = 0;
  const write = async (value: unknown): Promise<void> => {
    if (!gzip.write(`${JSON.stringify(value)}\n`)) await once(gzip, 'drain');
  };
  const onPage = (written: number): void => {
    rows += written;
    opts.onProgress?.(rows);
  };
  const cuts = new Map((await deps.store.listAuditCuts()).map((c) => [c.chainId, c]));
  const heads: ArchiveHead[] = [];
  try {
    await write({ type: 'header', format: FORMAT, cutMs: opts.cutMs, createdMs: deps.nowMs });
    for (const { chainId } of await deps.store.listAuditChains()) {
      const head = await archiveChain(deps.store, chainId, cuts.get(chainId), opts.cutMs, {
        pageSize,
        write,
        onPage,
      });
      if (head !== undefined) heads.push(head);
    }
    for (const head of heads) await write({ type: 'head', ...head });
    await write({ type: 'end', rows, chains: heads.length });
    gzip.end();
    await finished(file);
    const handle = await open(partial, 'r+');
    await handle.sync();
    await handle.close();
  } catch (err) {
    gzip.destroy();
    await rm(partial, { force: true });
    throw err;
  }
  if (rows === 0) {
    await rm(partial, { force: true });
    return undefined;
  }
  await rename(partial, path);
  const check = await verifyArchive(path, deps.keys);
  if (!check.isIntact) throw new Error(`the archive ${path} did not verify; nothing was deleted`);
  for (const h of heads) {
    await deps.store.cutAuditChain(
      { chainId: h.chainId, toSeq: h.toSeq, toHash: h.toHash },
      deps.nowMs,
    );
  }
  return { path, cutMs: opts.cutMs, rows, heads };
}

async function archiveChain(
  store: ArchiveStore,
  chainId: string,
  cut: AuditCut | undefined,
  cutMs: number,
  io: {
    pageSize: number;
    write: (value: unknown) => Promise<void>;
    /** Rows written from the page just read. */
    onPage: (rows: number) => void;
  },
): Promise<ArchiveHead | undefined> {
  let afterSeq = cut?.toSeq ?? 0;
  let head: ArchiveHead | undefined;
  for (;;) {
    const page = await store.readAuditChain(chainId, afterSeq, io.pageSize);
    const before = head?.rows ?? 0;
    for (const row of page) {
      const link = row.chain;
      // The first row at or after the cut ends this chain's part: archives hold prefixes.
      if (link === undefined || row.timeMs >= cutMs) {
        io.onPage((head?.rows ?? 0) - before);
        return head;
      }
      await io.write({ type: 'row', row });
      head ??= {
        chainId,
        fromSeq: link.seq,
        fromPrevHash: link.prevHash,
        toSeq: link.seq,
        toHash: link.hash,
        rows: 0,
      };
      head.toSeq = link.seq;
      head.toHash = link.hash;
      head.rows += 1;
      afterSeq = link.seq;
    }
    io.onPage((head?.rows ?? 0) - before);
    if (page.length < io.pageSize) return head;
  }
}

export interface ArchiveChainReport {
  chainId: string;
  rows: number;
  fromSeq: number;
  toSeq: number;
  problem:
    | ChainProblem
    | { kind: 'head_mismatch'; chainId: string }
    | { kind: 'head_absent'; chainId: string }
    | null;
}

export interface ArchiveReport {
  isIntact: boolean;
  cutMs: number | null;
  rows: number;
  chains: ArchiveChainReport[];
  /** The file itself: no header, no end line (cut short), or counts that do not add up. */
  fileProblem: string | null;
}

interface ChainState {
  report: ArchiveChainReport;
  check: ((row: AuditRecord) => ChainProblem | null) | undefined;
  fromPrevHash: string;
  lastHash: string;
}

/**
 * Reads an archive as a stream (memory grows with chains, not rows) and checks every chain's
 * links and hashes, that each ends on the head it declares, and that the file ends where it
 * says it does.
 */
export async function verifyArchive(
  path: string,
  keys: Pick<ChainKeyring, 'candidates'>,
  /** Called every `PROGRESS_ROWS` rows read: rows so far. */
  onProgress?: (rowsDone: number) => void,
): Promise<ArchiveReport> {
  // Long by design: one pass over the lines, each kind of line checked where it is read.
  const chains = new Map<string, ChainState>();
  const report: ArchiveReport = {
    isIntact: false,
    cutMs: null,
    rows: 0,
    chains: [],
    fileProblem: null,
  };
  let isEnded = false;
  const heads: ArchiveHead[] = [];
  const lines = createInterface({
    input: createReadStream(path).pipe(createGunzip()),
    crlfDelay: Infinity,
  });
  try {
    for await (const line of lines) {
      if (line.length === 0) continue;
      const entry = JSON.parse(line) as { type?: unknown } & Record<string, unknown>;
      if (report.cutMs === null) {
        if (entry.type !== 'header' || entry['format'] !== FORMAT) {
          report.fileProblem = 'not a Bastion audit archive';
          return report;
        }
        report.cutMs = Number(entry['cutMs']);
      } else if (entry.type === 'row') {
        const row = entry['row'] as AuditRecord;
        const link = row.chain;
        if (link === undefined) throw new Error('row without chain');
        let state = chains.get(link.chainId);
        if (state === undefined) {
          const { keyId, hashers } = keys.candidates(link.chainId);
          const hash: ChainHasher = pickHasher(hashers, row);
          state = {
            report: {
              chainId: link.chainId,
              rows: 0,
              fromSeq: link.seq,
              toSeq: link.seq,
              problem: null,
            },
            check: createLinkCheck(hash, link.chainId, link.seq, link.prevHash),
            fromPrevHash: link.prevHash,
            lastHash: link.hash,
          };
          if (hashers.length === 0 && keyId !== undefined) {
            state.report.problem = { kind: 'unknown_key', keyId };
          }
          chains.set(link.chainId, state);
        }
        state.report.rows += 1;
        state.report.toSeq = link.seq;
        state.lastHash = link.hash;
        state.report.problem ??= state.check?.(row) ?? null;
        report.rows += 1;
        if (report.rows % PROGRESS_ROWS === 0) onProgress?.(report.rows);
      } else if (entry.type === 'head') {
        heads.push(entry as unknown as ArchiveHead);
      } else if (entry.type === 'end') {
        isEnded = entry['rows'] === report.rows && entry['chains'] === heads.length;
        if (!isEnded)
          report.fileProblem = 'the end line does not match the rows and heads before it';
      }
    }
  } catch {
    report.fileProblem = 'unreadable: not gzip, or a line is not JSON (a damaged or cut file)';
  }
  if (!isEnded) report.fileProblem ??= 'no end line: the archive was cut short';
  checkHeads(chains, heads);
  report.chains = [...chains.values()].map((c) => c.report);
  report.isIntact = report.fileProblem === null && report.chains.every((c) => c.problem === null);
  return report;
}

/** Each chain must end on the head the archive declares for it, from where it says it starts. */
function checkHeads(chains: Map<string, ChainState>, heads: readonly ArchiveHead[]): void {
  const declared = new Map(heads.map((h) => [h.chainId, h]));
  for (const { report, fromPrevHash, lastHash } of chains.values()) {
    const head = declared.get(report.chainId);
    const { chainId } = report;
    if (head === undefined) {
      report.problem ??= { kind: 'head_absent', chainId };
    } else if (
      head.fromSeq !== report.fromSeq ||
      head.toSeq !== report.toSeq ||
      head.rows !== report.rows ||
      head.toHash !== lastHash ||
      head.fromPrevHash !== fromPrevHash
    ) {
      report.problem ??= { kind: 'head_mismatch', chainId };
    }
  }
  for (const head of heads) {
    if (!chains.has(head.chainId)) {
      // A chain the archive declares but whose rows are gone from it.
      const chainId = head.chainId;
      chains.set(chainId, {
        report: {
          chainId,
          rows: 0,
          fromSeq: head.fromSeq,
          toSeq: head.toSeq,
          problem: { kind: 'head_mismatch', chainId },
        },
        check: undefined,
        fromPrevHash: head.fromPrevHash,
        lastHash: head.toHash,
      });
    }
  }
}
