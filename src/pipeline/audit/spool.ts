import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Logger } from '../../log/logger.js';
import type { AuditChainLink, AuditRecord, AuditStore } from '../../store/types.js';

/*
 * The audit write-ahead spool (audit.durability: spooled, docs/audit.md). The spool is a
 * directory any number of gateways share: each gateway instance (process, or gateway within a
 * process) appends to its own file, `<pid>-<random>.spool`, so no two ever write one file. Rows
 * already linked into the writer's chain are appended as JSON lines and fdatasync'd, in batches,
 * through the async fs API (libuv's thread pool: the event loop never waits on the disk).
 * At start a gateway claims (atomic rename to its own pid) every file no live gateway owns (its
 * pid is dead, or is this pid but the file is not open in this process: a container restarts as
 * pid 1), replays the rows into the store, where a row already stored is a no-op (the
 * (chain_id, chain_seq) unique index), and removes them. A live gateway's file is never touched.
 */

/** Spool files open (or claimed for replay) in this process. */
const openHere = new Set<string>();

const SPOOL_FILE = /^(\d+)-[0-9a-f]+(?:-\d+)?\.spool$/;

/**
 * How the spool file is opened. Appending (`O_APPEND`): every write lands at the end of the
 * file, so once the file is emptied the next rows start at byte 0 again (a plain write goes on
 * at the old offset, leaving a hole of the emptied size, and the file's size grew by every byte
 * ever spooled until a replay could not read it). Synchronized data writes (`O_DSYNC`) where
 * the platform has them (Linux, macOS): an append is one `write` that returns once its data is
 * on disk, the guarantee of `write` then `fdatasync` in one trip to libuv's thread pool instead
 * of two. Elsewhere (Windows) the append calls `datasync` after the write.
 */
const O_DSYNC: number | undefined = constants.O_DSYNC;
const SPOOL_OPEN_FLAGS =
  O_DSYNC === undefined
    ? 'ax'
    : constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_EXCL | O_DSYNC;

export interface AuditSpool {
  /** This instance's own file in the spool directory. */
  readonly path: string;
  /**
   * Appends rows and settles once they are on disk (a synchronized data write, or the write
   * then fdatasync). Calls run one after another in the order made.
   */
  append(records: readonly AuditRecord[]): Promise<void>;
  /** Empties the file; runs after every append made before it. */
  truncate(): Promise<void>;
  /** Bytes appended since the file was last emptied. */
  readonly bytes: number;
  /** Removes the dead gateways' files whose rows (`leftover`) are now stored. */
  dropReplayed(): Promise<void>;
  /** Removes the file (when `isEmpty`: every row is stored), or leaves it for the next start. */
  close(isEmpty: boolean): Promise<void>;
}

/**
 * Creates this instance's file in the spool directory `dir` (creating it), and claims the files
 * dead gateways left there, returning their rows (`leftover`) for replay.
 */
export async function openAuditSpool(
  dir: string,
): Promise<{ spool: AuditSpool; leftover: AuditRecord[] }> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw spoolUnusable(dir, err);
  }
  const stem = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const path = join(dir, `${stem}.spool`);
  let file: FileHandle;
  try {
    file = await open(path, SPOOL_OPEN_FLAGS, 0o600);
  } catch (err) {
    throw spoolUnusable(dir, err);
  }
  openHere.add(path);
  let claimed: string[] = [];
  let leftover: AuditRecord[];
  try {
    claimed = await claimOrphans(dir, stem);
    leftover = [];
    for (const orphan of claimed) leftover.push(...parseSpool(await readFile(orphan, 'utf8')));
  } catch (err) {
    for (const orphan of claimed) openHere.delete(orphan);
    await file.close();
    openHere.delete(path);
    await rm(path, { force: true });
    throw err;
  }
  return { spool: spoolOn(path, file, claimed), leftover };
}

function spoolOn(path: string, file: FileHandle, claimed: string[]): AuditSpool {
  let bytes = 0;
  /** Every file operation chains on this, so appends and truncations keep their order. */
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <T>(op: () => Promise<T>): Promise<T> => {
    const run = tail.then(op, op);
    tail = run.catch(() => undefined);
    return run;
  };
  const release = (files: string[]) => {
    for (const f of files) openHere.delete(f);
  };
  return {
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
        if (O_DSYNC === undefined) await file.datasync();
      });
    },
    truncate() {
      bytes = 0;
      return serial(() => file.truncate(0));
    },
    async dropReplayed() {
      const done = claimed.splice(0);
      for (const f of done) await rm(f, { force: true });
      release(done);
    },
    async close(isEmpty) {
      await serial(async () => {
        if (isEmpty) await file.truncate(0);
        await file.close();
      });
      if (isEmpty) await rm(path, { force: true });
      // Not removed (not stored yet): once released, the next start replays them.
      release([path, ...claimed.splice(0)]);
    },
  };
}

/** Renames every file no live gateway owns to `<stem>-<n>.spool`: one claimant wins each. */
async function claimOrphans(dir: string, stem: string): Promise<string[]> {
  const claimed: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const pid = Number(SPOOL_FILE.exec(name)?.[1] ?? Number.NaN);
    const file = join(dir, name);
    if (Number.isNaN(pid) || openHere.has(file)) continue;
    if (pid !== process.pid && isAlive(pid)) continue;
    const target = join(dir, `${stem}-${claimed.length + 1}.spool`);
    openHere.add(target);
    try {
      await rename(file, target);
      claimed.push(target);
    } catch (err) {
      openHere.delete(target);
      // Another starting gateway claimed it first.
      if (!isCode(err, 'ENOENT')) throw err;
    }
  }
  return claimed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isCode(err, 'EPERM');
  }
}

function spoolUnusable(dir: string, err: unknown): GatewayError {
  const reason = err instanceof Error && 'code' in err ? String(err.code) : String(err);
  return new GatewayError('store_unavailable', {
    message:
      `The audit spool directory ${dir} cannot be used (${reason}); ` +
      'set audit.spoolPath to a writable directory (docs/audit.md).',
  });
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
