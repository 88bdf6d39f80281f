import { createProgress } from '../../scan/progress.js';
import { systemClock } from '../../util/clock.js';
import type { CliIo } from '../command.js';

/** Progress of a long audit walk: rows done so far, and the total when it is known (else 0). */
export interface AuditProgress {
  update(this: void, rowsDone: number, rowsTotal: number): void;
  finish(): void;
}

/**
 * A self-overwriting `verifying 120000/10000000 rows · 45000 rows/s` line on stderr, only on a
 * terminal and not in CI: piped or scripted, the command writes exactly what it did without it.
 */
export function auditProgress(io: CliIo, verb: string): AuditProgress | undefined {
  if (io.stderr.isTTY !== true || io.env['CI']) return undefined;
  const line = createProgress({
    stream: io.stderr,
    clock: systemClock,
    unit: 'rows',
    verb,
    hasBytes: false,
    intervalMs: 250,
  });
  // The rate counts from here: the first page is already read when the total is first known.
  line.start(0);
  let isTotalSet = false;
  return {
    update(rowsDone, rowsTotal) {
      if (!isTotalSet) line.start(rowsTotal);
      isTotalSet = true;
      line.update(rowsDone, 0);
    },
    finish: () => line.finish(),
  };
}
