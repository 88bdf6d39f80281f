import type { Clock } from '../util/clock.js';

export interface Progress {
  /** Sets the total once it is known (files listed, commits counted); the first call starts the clock. */
  start(total: number): void;
  /** Reports units done so far and bytes read so far. */
  update(done: number, bytes: number): void;
  /** Clears the line. */
  finish(): void;
}

export interface ProgressOptions {
  readonly stream: { write(text: string): unknown };
  readonly clock: Clock;
  readonly unit: string;
  /** The word before the count: `scanning` unless given (`verifying` for audit verify). */
  readonly verb?: string;
  /** Show the byte rate (default true); audit rows are counted, not weighed. */
  readonly hasBytes?: boolean;
  /** Minimum time between redraws. */
  readonly intervalMs?: number;
}

export const silentProgress: Progress = { start() {}, update() {}, finish() {} };

function formatRate(perSec: number): string {
  return perSec >= 100 ? perSec.toFixed(0) : perSec.toFixed(1);
}

/**
 * One self-overwriting status line: `scanning 120/2500 files · 845 files/s · 12.1 MB/s`.
 * Callers create it only when stderr is a terminal and not in CI.
 */
export function createProgress(opts: ProgressOptions): Progress {
  const intervalMs = opts.intervalMs ?? 100;
  const verb = opts.verb ?? 'scanning';
  let total = 0;
  let startedMs: number | undefined;
  let lastDrawMs = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    start(n) {
      total = n;
      startedMs ??= opts.clock.monotonicMs();
    },
    update(done, bytes) {
      const now = opts.clock.monotonicMs();
      if (now - lastDrawMs < intervalMs && done < total) return;
      lastDrawMs = now;
      const sec = Math.max((now - (startedMs ?? now)) / 1000, 1e-3);
      const of = total > 0 ? `/${total}` : '';
      const rate = `${formatRate(done / sec)} ${opts.unit}/s`;
      const byteRate = opts.hasBytes === false ? '' : ` · ${formatRate(bytes / 1e6 / sec)} MB/s`;
      opts.stream.write(`\r\u001b[2K${verb} ${done}${of} ${opts.unit} · ${rate}${byteRate}`);
      drawn = true;
    },
    finish() {
      if (drawn) opts.stream.write('\r\u001b[2K');
    },
  };
}
