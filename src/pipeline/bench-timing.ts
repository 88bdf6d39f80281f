import { writeFileSync } from 'node:fs';
import type { Stage, StageName } from './stage.js';

/**
 * `npm run bench`'s per-stage breakdown, and nothing else: with `BASTION_BENCH_STAGES=<file>`
 * in the environment every stage is wrapped to add up its wall time (a stage that returns a
 * promise counts until it settles, so `upstream` includes the provider's reply time and
 * `guard_output` only its setup on streams), written to the file as JSON when the process
 * exits. Without it the stages are returned as they are: no wrapper, no cost.
 */
export function timedForBench(
  stages: Readonly<Record<StageName, Stage>>,
): Readonly<Record<StageName, Stage>> {
  const file = process.env.BASTION_BENCH_STAGES;
  if (file === undefined || file === '') return stages;
  const totals: Record<string, { calls: number; ms: number }> = {};
  process.once('exit', () => writeFileSync(file, JSON.stringify(totals)));
  const timed = {} as Record<StageName, Stage>;
  for (const name of Object.keys(stages) as StageName[]) {
    const stage = stages[name];
    const total = (totals[name] = { calls: 0, ms: 0 });
    const done = (startedMs: number) => {
      total.calls += 1;
      total.ms += performance.now() - startedMs;
    };
    timed[name] = {
      name: stage.name,
      run(ctx) {
        const startedMs = performance.now();
        const verdict = stage.run(ctx);
        if (verdict instanceof Promise) return verdict.finally(() => done(startedMs));
        done(startedMs);
        return verdict;
      },
    };
  }
  return timed;
}
