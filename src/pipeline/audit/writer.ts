import type { Logger } from '../../log/logger.js';
import type { AuditRecord, AuditStore } from '../../store/types.js';

export interface AuditWriterOptions {
  flushIntervalMs: number;
  batchSize: number;
  /** Past this many queued rows the gateway refuses new requests rather than lose rows. */
  maxQueue: number;
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
 */
export function createAuditWriter(
  deps: { store: AuditStore; log: Logger },
  opts: AuditWriterOptions,
): AuditWriter {
  let queue: AuditRecord[] = [];
  let flushing: Promise<void> | undefined;
  let lastFailureLogged = 0;
  /** Rows written since start; `flushQueued` waits for it to pass a mark. */
  let written = 0;

  const timer = setInterval(() => void flush(), opts.flushIntervalMs);
  timer.unref();

  function flush(): Promise<void> {
    if (flushing !== undefined || queue.length === 0) return flushing ?? Promise.resolve();
    const batch = queue.slice(0, opts.batchSize);
    flushing = deps.store
      .appendAudit(batch)
      .then(
        () => {
          queue = queue.slice(batch.length);
          written += batch.length;
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
