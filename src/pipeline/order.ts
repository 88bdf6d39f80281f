import { timedForBench } from './bench-timing.js';
import type { Stage, StageName } from './stage.js';

/**
 * The order every request walks, as data, fixed here: config tunes what a stage does (or
 * makes it pass everything) but never adds, removes or reorders stages, so authentication
 * always comes before anything reads the body.
 */
export const PROXY_ORDER = [
  'audit_ready',
  'authenticate',
  'read_body',
  'authorize',
  'validate',
  'kill_switch',
  'rate_limit',
  'concurrency',
  'budget',
  'guard_normalize',
  'guard_secrets',
  'guard_injection',
  'guard_pii',
  'guard_system_prompt',
  'route',
  'upstream',
  'guard_output',
] as const satisfies readonly StageName[];

export const MODELS_ORDER = [
  'audit_ready',
  'authenticate',
  'authorize',
  'kill_switch',
  'list_models',
] as const satisfies readonly StageName[];

export interface Pipelines {
  proxy: readonly Stage[];
  models: readonly Stage[];
}

export function buildPipelines(built: Readonly<Record<StageName, Stage>>): Pipelines {
  const stages = timedForBench(built);
  return {
    proxy: PROXY_ORDER.map((name) => stages[name]),
    models: MODELS_ORDER.map((name) => stages[name]),
  };
}
