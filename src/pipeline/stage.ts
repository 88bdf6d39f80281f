import type { GatewayError } from '../errors/gateway-error.js';
import type { RequestContext } from './context.js';

/** `undefined`: continue with the next stage. A `GatewayError`: stop and answer with it. */
export type Verdict = undefined | GatewayError;

export type StageName =
  | 'audit_ready'
  | 'authenticate'
  | 'read_body'
  | 'validate'
  | 'route'
  | 'list_models'
  | 'upstream'
  | 'authorize'
  | 'kill_switch'
  | 'rate_limit'
  | 'concurrency'
  | 'budget'
  | 'guard_normalize'
  | 'guard_secrets'
  | 'guard_injection'
  | 'guard_pii'
  | 'guard_system_prompt'
  | 'guard_output';

export interface Stage {
  readonly name: StageName;
  run(ctx: RequestContext): Verdict | Promise<Verdict>;
}
