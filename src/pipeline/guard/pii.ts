import { GatewayError } from '../../errors/gateway-error.js';
import { stemOf, type PseudonymVault } from '../../detect/pii/index.js';
import type { RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';
import { findInSlot } from './slots.js';
import { Tally, type GuardSession } from './state.js';

/**
 * PII in prompts, per type: `redact` (`[EMAIL]`), `pseudonymise` (`<EMAIL_1>`, restored in
 * the response by the output guard), `block` (pii_blocked) or `allow`. Placeholders the caller
 * wrote are reserved first, so restoring never rewrites the caller's own text.
 */
export function createGuardPiiStage(deps: { session: GuardSession }): Stage {
  return {
    name: 'guard_pii',
    run: function guardPii(ctx: RequestContext): Verdict {
      const state = deps.session.of(ctx);
      const detector = state?.policy.inputPii;
      if (state === undefined || detector === undefined) return undefined;
      const slots = deps.session.slots(ctx);
      const tally = new Tally();
      // Made only when the caller wrote a `<`, or a value is pseudonymised: without a `<` in
      // the caller's text there is no placeholder to reserve, and most prompts need no vault.
      let vault: PseudonymVault | undefined;
      const vaultOf = (): PseudonymVault => (vault ??= deps.session.vault(ctx));
      for (const slot of slots) if (slot.text.includes('<')) vaultOf().reserveFrom(slot.text);
      for (const slot of slots) {
        const text = slot.text;
        const findings = findInSlot(slot, (t) =>
          deps.session.verdict(ctx, 'pii', t, (u) => detector.find(u)),
        );
        if (findings.length === 0) continue;
        let out = '';
        let at = 0;
        for (const f of findings) {
          const action = state.policy.inputActions.get(f.type) ?? 'redact';
          tally.add(f.type, action);
          if (action === 'block') {
            tally.flushTo(ctx.decisions, 'guard_pii');
            return new GatewayError('pii_blocked', {
              message: `The request contains personal data (${f.type}) in ${slot.path} that this gateway does not forward.`,
              param: slot.path,
            });
          }
          const value = text.slice(f.start, f.end);
          const replacement =
            action === 'pseudonymise'
              ? vaultOf().tokenFor(f.type, value)
              : action === 'redact'
                ? `[${stemOf(f.type)}]`
                : value;
          out += text.slice(at, f.start) + replacement;
          at = f.end;
        }
        slot.set(out + text.slice(at));
      }
      if (tally.isEmpty) return undefined;
      tally.flushTo(ctx.decisions, 'guard_pii');
      deps.session.rewrote(ctx);
      return undefined;
    },
  };
}
