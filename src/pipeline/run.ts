import { GatewayError } from '../errors/gateway-error.js';
import type { RequestContext } from './context.js';
import type { Stage, Verdict } from './stage.js';

/**
 * Runs stages in order. Awaits only when a stage returned a promise, so synchronous checks
 * cost no microtask. A throw is a bug: it becomes `internal_error` and is logged.
 */
export function runStages(
  stages: readonly Stage[],
  ctx: RequestContext,
): Verdict | Promise<Verdict> {
  for (let i = 0; i < stages.length; i++) {
    const stage = stages[i] as Stage;
    let verdict: Verdict | Promise<Verdict>;
    try {
      verdict = stage.run(ctx);
    } catch (err) {
      return bug(ctx, stage, err);
    }
    if (verdict instanceof Promise) return runAsync(stages, ctx, i, verdict);
    if (verdict !== undefined) return verdict;
  }
  return undefined;
}

/**
 * The rest of a run from the first stage that returned a promise: one async frame that awaits
 * each such promise, rather than a promise chained (and adopted) per async stage.
 */
async function runAsync(
  stages: readonly Stage[],
  ctx: RequestContext,
  at: number,
  first: Promise<Verdict>,
): Promise<Verdict> {
  let i = at;
  let waiting = first;
  for (;;) {
    let verdict: Verdict | Promise<Verdict>;
    try {
      verdict = await waiting;
    } catch (err) {
      return bug(ctx, stages[i] as Stage, err);
    }
    if (verdict !== undefined) return verdict;
    for (i++; i < stages.length; i++) {
      const stage = stages[i] as Stage;
      try {
        verdict = stage.run(ctx);
      } catch (err) {
        return bug(ctx, stage, err);
      }
      if (verdict !== undefined) break;
    }
    if (!(verdict instanceof Promise)) return verdict;
    waiting = verdict;
  }
}

function bug(ctx: RequestContext, stage: Stage, err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  ctx.log.error({ event: 'stage_failed', stage: stage.name, err }, 'stage threw');
  return new GatewayError('internal_error', { cause: err });
}

/**
 * The same stages, each run inside a child span of the request's trace. Applied once at start,
 * only when tracing is on: with tracing off the runner calls the stages themselves.
 */
export function traceStages(stages: readonly Stage[]): Stage[] {
  return stages.map((stage) => ({
    name: stage.name,
    run: function traced(ctx: RequestContext): Verdict | Promise<Verdict> {
      return ctx.trace.stage(stage.name, () => stage.run(ctx));
    },
  }));
}
