import { writeFileSync } from 'node:fs';
import type { Stage, StageName } from './stage.js';

/**
 * `npm run bench`'s per-stage breakdown, and nothing else: with `BASTION_BENCH_STAGES=<file>`
 * in the environment every stage is wrapped to add up its wall time (a stage that returns a
 * promise counts until it settles, so `upstream` includes the provider's reply time and
 * `guard_output` only its setup on streams), written to the file as JSON when the process
 * exits. The first `BASTION_BENCH_STAGES_WARMUP` calls of each stage are left out, as the
 * bench leaves out its warm-up requests: they pay one-time loads (the BPE table waited for by
 * the first prompt whose tokens are counted) that are no per-request cost. Without the
 * variable the stages are returned as they are: no wrapper, no cost.
 */
export function timedForBench(
  stages: Readonly<Record<StageName, Stage>>,
): Readonly<Record<StageName, Stage>> {
  const file = process.env.BASTION_BENCH_STAGES;
  if (file === undefined || file === '') return stages;
  const warmup = Number(process.env.BASTION_BENCH_STAGES_WARMUP ?? 0) || 0;
  const totals: Record<string, { calls: number; ms: number }> = {};
  process.once('exit', () => writeFileSync(file, JSON.stringify(totals)));
  const timed = {} as Record<StageName, Stage>;
  for (const name of Object.keys(stages) as StageName[]) {
    const stage = stages[name];
    const total = (totals[name] = { calls: 0, ms: 0 });
    let skipped = 0;
    const done = (startedMs: number) => {
      if (skipped < warmup) {
        skipped += 1;
        return;
      }
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
