import type { Logger } from '../../log/logger.js';
import type { AuditRecord, AuditStore } from '../../store/types.js';
import { systemClock, type Clock } from '../../util/clock.js';
import type { AuditChain } from './chain.js';

export interface AuditWriterOptions {
  flushIntervalMs: number;
  batchSize: number;
  /** Past this many queued rows the gateway refuses new requests rather than lose rows. */
  maxQueue: number;
  /** The chain head is logged (`audit_chain_head`) at the first write, at most this often, and at drain. */
  chainHeadLogIntervalMs: number;
}

export interface AuditWriter {
  write(record: AuditRecord): void;
  /** True when the queue is full: new requests must be refused (fail closed). */
  readonly isSaturated: boolean;
  readonly queued: number;
  /** Writes everything queued; retries until done or `deadlineMs` passes. Used on shutdown. */
  drain(deadlineMs?: number): Promise<void>;
  /**
   * Writes every row queued before the call (rows queued later may stay queued), so a reader
   * sees every request that had finished. Unlike `drain`, it ends under continuous traffic.
   */
  flushQueued(deadlineMs?: number): Promise<void>;
  stop(): void;
}

/**
 * Batches audit rows off the hot path. A failed batch stays queued and is retried on the next
 * tick, so a store outage delays rows but loses none while the process lives.
 *
 * Rows are linked into the writer's hash chain when their batch is first flushed, not when
 * written: hashing stays off the request path, and a retried batch carries the same links, so
 * the chain has no gap and (the stores ignore a link already stored) no duplicate.
 */
export function createAuditWriter(
  deps: { store: AuditStore; log: Logger; chain: AuditChain; clock?: Clock },
  opts: AuditWriterOptions,
): AuditWriter {
  const clock = deps.clock ?? systemClock;
  let queue: AuditRecord[] = [];
  /** The first `linked` rows of `queue` carry their chain link already. */
  let linked = 0;
  let flushing: Promise<void> | undefined;
  let lastFailureLogged = 0;
  /** Rows written since start; `flushQueued` waits for it to pass a mark. */
  let written = 0;
  let head: { seq: number; hash: string } | undefined;
  let headLoggedAtMs = clock.now();

  const timer = setInterval(() => void flush(), opts.flushIntervalMs);
  timer.unref();

  /** Operators ship this line elsewhere: an external anchor that reveals a truncated chain. */
  function logHead(): void {
    if (head === undefined) return;
    headLoggedAtMs = clock.now();
    deps.log.info({ event: 'audit_chain_head', chainId: deps.chain.chainId, ...head });
  }

  function flush(): Promise<void> {
    // A flush in flight may fail; callers (drain) retry, they must not see its rejection.
    if (flushing !== undefined) return flushing.catch(() => undefined);
    if (queue.length === 0) return Promise.resolve();
    const size = Math.min(opts.batchSize, queue.length);
    for (; linked < size; linked++) queue[linked] = deps.chain.link(queue[linked] as AuditRecord);
    const batch = queue.slice(0, size);
    flushing = deps.store
      .appendAudit(batch)
      .then(
        () => {
          queue = queue.slice(batch.length);
          linked -= batch.length;
          written += batch.length;
          const last = batch.at(-1)?.chain;
          // The first head goes out at once: a crash before the interval must still leave an
          // anchor outside the database that shows the chain existed.
          const isFirst = head === undefined;
          if (last !== undefined) head = { seq: last.seq, hash: last.hash };
          if (isFirst || clock.now() - headLoggedAtMs >= opts.chainHeadLogIntervalMs) logHead();
        },
        (err: unknown) => {
          const now = Date.now();
          if (now - lastFailureLogged > 5_000) {
            lastFailureLogged = now;
            deps.log.error({ event: 'audit_write_failed', queued: queue.length, err });
          }
          throw err;
        },
      )
      .finally(() => {
        flushing = undefined;
      });
    return flushing.catch(() => undefined);
  }

  return {
    write(record: AuditRecord): void {
      queue.push(record);
      if (queue.length >= opts.batchSize) void flush();
    },
    get isSaturated() {
      return queue.length >= opts.maxQueue;
    },
    get queued() {
      return queue.length;
    },
    async drain(deadlineMs = 10_000): Promise<void> {
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
    },
    async flushQueued(deadlineMs = 5_000): Promise<void> {
      const mark = written + queue.length;
      const until = Date.now() + deadlineMs;
      while (written < mark && Date.now() < until) {
        const before = written;
        await flush();
        if (written === before) await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop(): void {
      clearInterval(timer);
    },
  };
}
