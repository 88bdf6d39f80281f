import type { PolicyRuntime } from '../../pipeline/policy/runtime.js';
import type { Store } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import { alertAckRoutes, anomalyAlertKind, budgetAlertKind } from './alert-acks.js';
import { keyRoutes } from './keys.js';
import { killSwitchRoutes } from './kill-switch.js';
import type { AdminRoute } from './router.js';
import { spendRoutes } from './spend.js';

/** The admin routes of access policy and spend control: keys, kill switches, budgets, usage, alerts, events. */
export function policyAdminRoutes(deps: {
  store: Store;
  policy: PolicyRuntime;
  clock: Clock;
}): AdminRoute[] {
  const { store, policy, clock } = deps;
  return [
    ...keyRoutes({ store, clock }),
    ...killSwitchRoutes({ killSwitch: policy.killSwitch, events: store, clock }),
    // The policy model is replaced by a config reload: read it per call.
    ...spendRoutes({
      store,
      backend: policy.backend,
      get model() {
        return policy.model;
      },
      clock,
    }),
    ...alertAckRoutes({
      store,
      kinds: { budget: budgetAlertKind(store), anomaly: anomalyAlertKind(store) },
      clock,
    }),
  ];
}
