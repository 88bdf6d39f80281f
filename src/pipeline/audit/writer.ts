import { GatewayError } from '../../errors/gateway-error.js';
import type { Logger } from '../../log/logger.js';
import type { AuditRecord, AuditStore } from '../../store/types.js';
import { systemClock, type Clock } from '../../util/clock.js';
import type { AuditChain } from './chain.js';
import type { AuditSpool } from './spool.js';

/**
 * What a crash may cost (docs/audit.md): `batched` loses the rows not yet in the store (up to
 * `flushIntervalMs`, more while the store is slow); `spooled` loses at most the rows of the last
 * `spoolIntervalMs` (plus one spool write); `sync` loses none a caller saw complete.
 */
export type AuditDurability = 'batched' | 'spooled' | 'sync';

export interface AuditWriterOptions {
  flushIntervalMs: number;
  batchSize: number;
  /** Past this many queued rows the gateway refuses new requests rather than lose rows. */
  maxQueue: number;
  /** The chain head is logged (`audit_chain_head`) at the first write, at most this often, and at drain. */
  chainHeadLogIntervalMs: number;
  /** Default `batched`; `spooled` needs `deps.spool` (without one it batches). */
  durability?: AuditDurability;
  /** `spooled`: rows go to the spool at least this often. */
  spoolIntervalMs?: number;
  /** `sync`: how long a request waits for its row before its response is abandoned. */
  syncTimeoutMs?: number;
}

export interface AuditWriter {
  /** Queues a row. */
  write(record: AuditRecord): void;
  /**
   * Queues a row and settles once it is in the store; rejects with `store_unavailable` after
   * `syncTimeoutMs`, the row staying queued. In `sync` mode the store write starts at once.
   */
  writeStored(record: AuditRecord): Promise<void>;
  /** True when the queue is full or the spool cannot be written: new requests must be refused. */
  readonly isSaturated: boolean;
  readonly queued: number;
  /** Writes everything queued; retries until done or `deadlineMs` passes. */
  drain(deadlineMs?: number): Promise<void>;
  /**
   * Writes every row queued before the call (rows queued later may stay queued), so a reader
   * sees every request that had finished. Unlike `drain`, it ends under continuous traffic.
   */
  flushQueued(deadlineMs?: number): Promise<void>;
  stop(): void;
  /** Shutdown: stops the timers, drains, and empties and releases the spool. */
  close(deadlineMs?: number): Promise<void>;
}

const CLOSED_MESSAGE = 'The gateway is stopping; the audit row could not be written.';

/** Past this many spooled bytes, once every spooled row is stored, the spool is emptied. */
const SPOOL_TRUNCATE_BYTES = 1024 * 1024;

interface Waiter {
  /** Resolved once this many rows have been written since start. */
  mark: number;
  deadlineMs: number;
  resolve: () => void;
  reject: (err: GatewayError) => void;
}

/**
 * Batches audit rows off the hot path. A failed batch stays queued and is retried on the next
 * tick, so a store outage delays rows but loses none while the process lives.
 *
 * Rows are linked into the writer's hash chain when their batch is first flushed or spooled,
 * not when written: hashing stays off the request path, and a retried batch carries the same
 * links, so the chain has no gap and (the stores ignore a link already stored) no duplicate.
 */
export function createAuditWriter(
  deps: { store: AuditStore; log: Logger; chain: AuditChain; clock?: Clock; spool?: AuditSpool },
  opts: AuditWriterOptions,
): AuditWriter {
  // Long by design: the queue, the spool and the waiters share the counters below.
  const clock = deps.clock ?? systemClock;
  const { spool } = deps;
  const mode = opts.durability === 'spooled' && spool === undefined ? 'batched' : opts.durability;
  let queue: AuditRecord[] = [];
  /** Rows written to the store since start; queue[i] is row number `written + i`. */
  let written = 0;
  /** Rows linked into the chain since start (always at least `written`). */
  let linkedTotal = 0;
  /** Rows the spool holds (fdatasync'd) since start. */
  let spooledTotal = 0;
  let isSpooling = false;
  let isSpoolFailing = false;
  let flushing: Promise<void> | undefined;
  let isFlushScheduled = false;
  let isClosed = false;
  let lastFailureLogged = 0;
  let head: { seq: number; hash: string } | undefined;
  let headLoggedAtMs = clock.now();
  const waiters: Waiter[] = [];

  const timer = setInterval(() => {
    void flush();
    expireWaiters();
  }, opts.flushIntervalMs);
  timer.unref();
  const spoolTimer =
    mode === 'spooled' ? setInterval(spoolTick, opts.spoolIntervalMs ?? 25) : undefined;
  spoolTimer?.unref();

  /** Operators ship this line elsewhere: an external anchor that reveals a truncated chain. */
  function logHead(): void {
    if (head === undefined) return;
    headLoggedAtMs = clock.now();
    deps.log.info({ event: 'audit_chain_head', chainId: deps.chain.chainId, ...head });
  }

  function logFailure(event: string, err: unknown): void {
    const now = Date.now();
    if (now - lastFailureLogged <= 5_000) return;
    lastFailureLogged = now;
    deps.log.error({ event, queued: queue.length, err });
  }

  /** Links queued rows up to row number `end`, in queue order. */
  function linkThrough(end: number): void {
    for (; linkedTotal < end; linkedTotal++) {
      const i = linkedTotal - written;
      queue[i] = deps.chain.link(queue[i] as AuditRecord);
    }
  }

  function spoolTick(): void {
    const end = written + queue.length;
    if (spool === undefined || isSpooling || spooledTotal >= end) return;
    linkThrough(end);
    // Rows the store already holds need no spooling.
    const fresh = queue.slice(Math.max(spooledTotal - written, 0));
    isSpooling = true;
    spool
      .append(fresh)
      .then(
        () => {
          spooledTotal = end;
          isSpoolFailing = false;
        },
        (err: unknown) => {
          // Fail closed: without the spool a crash could lose more than the promised bound.
          isSpoolFailing = true;
          logFailure('audit_spool_failed', err);
        },
      )
      .finally(() => {
        isSpooling = false;
        truncateSpool();
      });
  }

  /** Empties the spool once everything in it is stored (appends after it are kept). */
  function truncateSpool(): void {
    if (spool === undefined || isSpooling || spool.bytes < SPOOL_TRUNCATE_BYTES) return;
    if (written < spooledTotal) return;
    spool.truncate().catch((err: unknown) => logFailure('audit_spool_failed', err));
  }

  function settleWaiters(): void {
    while (waiters.length > 0 && (waiters[0] as Waiter).mark <= written) {
      (waiters.shift() as Waiter).resolve();
    }
  }

  function expireWaiters(): void {
    const now = clock.now();
    while (waiters.length > 0 && (waiters[0] as Waiter).deadlineMs <= now) {
      (waiters.shift() as Waiter).reject(
        new GatewayError('store_unavailable', {
          message: 'The audit row could not be written in time; the response was not completed.',
        }),
      );
    }
  }

  /** `sync`: the next flush starts as soon as the current one ends (group commit). */
  function scheduleFlush(): void {
    if (isFlushScheduled) return;
    isFlushScheduled = true;
    setImmediate(() => {
      isFlushScheduled = false;
      void flush();
    });
  }

  function flush(): Promise<void> {
    // A flush in flight may fail; callers (drain) retry, they must not see its rejection.
    if (flushing !== undefined) return flushing.catch(() => undefined);
    if (queue.length === 0) return Promise.resolve();
    const size = Math.min(opts.batchSize, queue.length);
    linkThrough(written + size);
    const batch = queue.slice(0, size);
    flushing = deps.store
      .appendAudit(batch)
      .then(
        () => {
          queue = queue.slice(batch.length);
          written += batch.length;
          const last = batch.at(-1)?.chain;
          // The first head goes out at once: a crash before the interval must still leave an
          // anchor outside the database that shows the chain existed.
          const isFirst = head === undefined;
          if (last !== undefined) head = { seq: last.seq, hash: last.hash };
          if (isFirst || clock.now() - headLoggedAtMs >= opts.chainHeadLogIntervalMs) logHead();
          settleWaiters();
          truncateSpool();
        },
        (err: unknown) => {
          logFailure('audit_write_failed', err);
          throw err;
        },
      )
      .then(
        () => {
          flushing = undefined;
          // Group commit: what queued during this write goes next. After a failure the retry
          // waits for the flush timer instead: a store that is down must not be hammered in a
          // loop of immediates (it pinned a core and kept a stopping gateway alive forever).
          if (mode === 'sync' && waiters.length > 0 && queue.length > 0) scheduleFlush();
        },
        (err: unknown) => {
          flushing = undefined;
          throw err;
        },
      );
    return flushing.catch(() => undefined);
  }

  async function drain(deadlineMs = 10_000): Promise<void> {
    const until = Date.now() + deadlineMs;
    while (queue.length > 0 && Date.now() < until) {
      const before = queue.length;
      await flush();
      if (queue.length === before) await new Promise((r) => setTimeout(r, 50));
    }
    if (queue.length > 0) {
      deps.log.error({ event: 'audit_rows_unwritten', count: queue.length });
    }
    logHead();
  }

  /** A row that arrives after close has no writer left: said loudly, never silently dropped. */
  function refuseAfterClose(): void {
    deps.log.error({ event: 'audit_rows_unwritten', count: 1, reason: 'writer_closed' });
  }

  function stop(): void {
    clearInterval(timer);
    if (spoolTimer !== undefined) clearInterval(spoolTimer);
  }

  return {
    write(record: AuditRecord): void {
      if (isClosed) return refuseAfterClose();
      queue.push(record);
      if (queue.length >= opts.batchSize) void flush();
    },
    writeStored(record: AuditRecord): Promise<void> {
      if (isClosed) {
        refuseAfterClose();
        return Promise.reject(new GatewayError('store_unavailable', { message: CLOSED_MESSAGE }));
      }
      queue.push(record);
      const done = new Promise<void>((resolve, reject) => {
        const deadlineMs = clock.now() + (opts.syncTimeoutMs ?? 5_000);
        waiters.push({ mark: written + queue.length, deadlineMs, resolve, reject });
      });
      if (mode === 'sync') scheduleFlush();
      else if (queue.length >= opts.batchSize) void flush();
      return done;
    },
    get isSaturated() {
      return queue.length >= opts.maxQueue || isSpoolFailing;
    },
    get queued() {
      return queue.length;
    },
    drain,
    async flushQueued(deadlineMs = 5_000): Promise<void> {
      const mark = written + queue.length;
      const until = Date.now() + deadlineMs;
      while (written < mark && Date.now() < until) {
        const before = written;
        await flush();
        if (written === before) await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop,
    async close(deadlineMs = 10_000): Promise<void> {
      stop();
      await drain(deadlineMs);
      isClosed = true;
      // Nobody flushes after this: callers still waiting are told now rather than left hanging.
      for (const w of waiters.splice(0)) {
        w.reject(new GatewayError('store_unavailable', { message: CLOSED_MESSAGE }));
      }
      // Rows left unwritten stay in the spool for the next start to replay.
      if (queue.length > 0 && spool !== undefined) {
        linkThrough(written + queue.length);
        const fresh = queue.slice(Math.max(spooledTotal - written, 0));
        await spool.append(fresh).catch((err: unknown) => logFailure('audit_spool_failed', err));
      }
      await spool?.close(queue.length === 0);
    },
  };
}
