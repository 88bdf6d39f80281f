import { liveSecret, type SecretLookup } from '../config/startup-secrets.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { createEndUserPseudonym } from '../pipeline/audit/user-id.js';
import { createPolicyRuntime, type PolicyRuntime } from '../pipeline/policy/runtime.js';
import type { Upstreams } from '../pipeline/upstream/build.js';
import type { LimitBackend } from '../limits/types.js';
import type { KillSwitchState } from '../policy/kill-switch-state.js';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';

export function buildPolicy(
  config: Config,
  deps: {
    store: Store;
    backend: LimitBackend;
    killSwitch: KillSwitchState | undefined;
    models: Upstreams['models'];
    secretOf: SecretLookup;
    /** Pseudonymises the end-user ids apps name (audit.userIdKey, else from the chain key). */
    userIdKey: Buffer | undefined;
    clock: Clock;
    log: Logger;
  },
): PolicyRuntime {
  const { webhookSecret } = config.alerts;
  return createPolicyRuntime(
    {
      store: deps.store,
      backend: deps.backend,
      killSwitch: deps.killSwitch,
      models: deps.models,
      clock: deps.clock,
      log: deps.log,
      endUserPseudonym: createEndUserPseudonym(deps.userIdKey, {
        readable: config.audit.userIdReadable,
      }),
      webhookSecret:
        webhookSecret === undefined ? undefined : liveSecret(deps.secretOf, webhookSecret),
    },
    config,
  );
}
