import { GatewayError } from '../../errors/gateway-error.js';
import type { RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';
import { findInSlot } from './slots.js';
import { Tally, type GuardSession } from './state.js';

/**
 * Credentials pasted into prompts, found with the scanner's rule set
 * (`src/detect/secrets`): refused before any upstream call, or masked, by policy. The error
 * names the rule and where it was, never the value.
 */
export function createGuardSecretsStage(deps: { session: GuardSession }): Stage {
  return {
    name: 'guard_secrets',
    run: function guardSecrets(ctx: RequestContext): Verdict {
      const state = deps.session.of(ctx);
      if (state === undefined) return undefined;
      const { action } = state.policy.config.secrets;
      if (action === 'allow') return undefined;
      const detector = state.policy.secrets;
      const tally = new Tally();
      for (const slot of deps.session.slots(ctx)) {
        const text = slot.text;
        // `find` runs the keyword pre-filter first (asking `mayContainSecret` ran it twice).
        const findings = findInSlot(slot, (t) =>
          deps.session.verdict(ctx, 'secrets', t, (u) => detector.find(u)),
        );
        if (findings.length === 0) continue;
        for (const f of findings) tally.add(f.ruleId, action);
        if (action === 'block') {
          tally.flushTo(ctx.decisions, 'guard_secrets');
          const rules = [...new Set(findings.map((f) => f.ruleId))].join(', ');
          return new GatewayError('secret_in_prompt', {
            message: `The request contains a credential (${rules}) in ${slot.path}. Remove it and retry; the gateway did not forward it.`,
            param: slot.path,
          });
        }
        slot.set(detector.mask(text, findings));
      }
      if (tally.isEmpty) return undefined;
      tally.flushTo(ctx.decisions, 'guard_secrets');
      deps.session.rewrote(ctx);
      return undefined;
    },
  };
}
