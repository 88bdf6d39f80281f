import { mkdir, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Logger } from '../../log/logger.js';
import type { AuditChainLink, AuditRecord, AuditStore } from '../../store/types.js';

/*
 * The audit write-ahead spool (audit.durability: spooled, docs/audit.md). Rows already linked
 * into the writer's chain are appended to a local file as JSON lines and fdatasync'd, in
 * batches, through the async fs API (libuv's thread pool: the event loop never waits on the
 * disk). At start the rows a crash left in it are replayed into the store, where a row already
 * stored is a no-op (the (chain_id, chain_seq) unique index). Once every row in the file is in
 * the store, the file is emptied.
 */

/** Spool files open in this process: a second gateway here must not share one. */
const openHere = new Set<string>();

export interface AuditSpool {
  readonly path: string;
  /** Appends rows, then fdatasync. Calls run one after another in the order made. */
  append(records: readonly AuditRecord[]): Promise<void>;
  /** Empties the file; runs after every append made before it. */
  truncate(): Promise<void>;
  /** Bytes appended since the file was last emptied. */
  readonly bytes: number;
  /** Empties the file (when `isEmpty`: every row is stored), then releases the lock. */
  close(isEmpty: boolean): Promise<void>;
}

/**
 * Opens (creating) the spool and its lock file, and returns the rows a previous process left.
 * A lock held by another live process is refused: two writers in one file would interleave.
 */
export async function openAuditSpool(
  path: string,
): Promise<{ spool: AuditSpool; leftover: AuditRecord[] }> {
  const lockPath = `${path}.lock`;
  if (openHere.has(path)) throw spoolInUse(path, process.pid);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await takeLock(lockPath);
  openHere.add(path);
  let file: FileHandle;
  let leftover: AuditRecord[];
  try {
    leftover = parseSpool(await readFile(path, 'utf8').catch(ignoreMissing));
    file = await open(path, 'a', 0o600);
  } catch (err) {
    openHere.delete(path);
    await rm(lockPath, { force: true });
    throw err;
  }
  let bytes = 0;
  /** Every file operation chains on this, so appends and truncations keep their order. */
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <T>(op: () => Promise<T>): Promise<T> => {
    const run = tail.then(op, op);
    tail = run.catch(() => undefined);
    return run;
  };
  const spool: AuditSpool = {
    path,
    get bytes() {
      return bytes;
    },
    append(records) {
      let text = '';
      for (const r of records) text += `${JSON.stringify(r)}\n`;
      bytes += Buffer.byteLength(text);
      return serial(async () => {
        await file.write(text);
        await file.datasync();
      });
    },
    truncate() {
      bytes = 0;
      return serial(() => file.truncate(0));
    },
    async close(isEmpty) {
      await serial(async () => {
        if (isEmpty) await file.truncate(0);
        await file.close();
      });
      openHere.delete(path);
      if (isEmpty) await rm(path, { force: true });
      await rm(lockPath, { force: true });
    },
  };
  return { spool, leftover };
}

async function takeLock(lockPath: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return;
    } catch (err) {
      if (!isCode(err, 'EEXIST')) throw err;
    }
    const pid = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw spoolInUse(lockPath, pid);
    }
    // Left by a process that died (or by this pid before a container restart): take it over.
    await rm(lockPath, { force: true });
  }
  throw spoolInUse(lockPath, Number.NaN);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isCode(err, 'EPERM');
  }
}

function spoolInUse(path: string, pid: number): GatewayError {
  return new GatewayError('store_unavailable', {
    message:
      `The audit spool ${path} is in use by another gateway process` +
      (Number.isNaN(pid) ? '' : ` (pid ${pid})`) +
      '; give each gateway process its own audit.spoolPath.',
  });
}

function ignoreMissing(err: unknown): string {
  if (isCode(err, 'ENOENT')) return '';
  throw err;
}

function isCode(err: unknown, code: string): boolean {
  return err instanceof Error && 'code' in err && err.code === code;
}

/**
 * The rows in a spool file. A crash can tear the last line; a line that does not parse as a
 * linked row is skipped (the chain's verify then shows any gap it leaves).
 */
export function parseSpool(text: string): AuditRecord[] {
  const rows: AuditRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (isLinkedRow(value)) rows.push(value);
  }
  return rows;
}

function isLinkedRow(value: unknown): value is AuditRecord & { chain: AuditChainLink } {
  if (typeof value !== 'object' || value === null) return false;
  const row = value as Partial<AuditRecord>;
  const link = row.chain;
  return (
    typeof row.requestId === 'string' &&
    typeof row.timeMs === 'number' &&
    typeof row.endpoint === 'string' &&
    typeof row.status === 'number' &&
    Array.isArray(row.decisions) &&
    typeof link === 'object' &&
    typeof link.chainId === 'string' &&
    Number.isSafeInteger(link.seq) &&
    typeof link.hash === 'string' &&
    typeof link.prevHash === 'string'
  );
}

/**
 * Stores the rows a crash left in the spool (each already stored is skipped by the store), and
 * logs the head of each chain they end, so the replayed rows are anchored outside the database.
 */
export async function replaySpool(
  deps: { store: AuditStore; log: Logger },
  rows: readonly AuditRecord[],
  batchSize: number,
): Promise<void> {
  if (rows.length === 0) return;
  for (let i = 0; i < rows.length; i += batchSize) {
    await deps.store.appendAudit(rows.slice(i, i + batchSize));
  }
  const heads = new Map<string, AuditChainLink>();
  for (const { chain } of rows) {
    if (chain !== undefined && chain.seq > (heads.get(chain.chainId)?.seq ?? 0)) {
      heads.set(chain.chainId, chain);
    }
  }
  deps.log.info({ event: 'audit_spool_replayed', rows: rows.length, chains: heads.size });
  for (const { chainId, seq, hash } of heads.values()) {
    deps.log.info({ event: 'audit_chain_head', chainId, seq, hash });
  }
}
