import type { Stage, StageName } from './stage.js';

/**
 * The order every request walks, as data. Authentication comes before anything reads the
 * body; config may add or tune stages but never move one ahead of `authenticate`.
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

export function buildPipelines(stages: Readonly<Record<StageName, Stage>>): Pipelines {
  return {
    proxy: PROXY_ORDER.map((name) => stages[name]),
    models: MODELS_ORDER.map((name) => stages[name]),
  };
}
