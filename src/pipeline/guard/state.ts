import { createPseudonymVault, type PseudonymVault } from '../../detect/pii/index.js';
import type { AuditDecision } from '../../store/types.js';
import type { RequestContext } from '../context.js';
import type { GuardPolicies, GuardPolicy } from './policy.js';
import type { GuardRequestState } from './request-state.js';
import { collectTextSlots, type TextSlot } from './slots.js';
import { isCacheableLength, VerdictCache, type VerdictKind } from './verdict-cache.js';

/**
 * The guard stages' view of `ctx.guard`: created by the first guard stage that applies,
 * read by the others and by the output stage.
 */
export interface GuardSession {
  /** The state for `ctx`, or undefined when the guard does not apply (disabled, no body). */
  of(ctx: RequestContext): GuardRequestState | undefined;
  /** The text slots of the current body (cached until `restructured`). */
  slots(ctx: RequestContext): readonly TextSlot[];
  /** Call after rewriting slot text: upstream must send the rewritten body, not the raw bytes. */
  rewrote(ctx: RequestContext): void;
  /** Call after changing the body's structure (messages added, moved or re-roled). */
  restructured(ctx: RequestContext): void;
  vault(ctx: RequestContext): PseudonymVault;
  /**
   * `find(text)` for this request's policy, remembered per caller and text (verdict-cache.ts):
   * a message resent on the next turn is not scanned again. The result must not be mutated.
   */
  verdict<V>(ctx: RequestContext, kind: VerdictKind, text: string, find: (text: string) => V): V;
}

/** Whose texts share cache entries: one virtual key, or one JWT user. */
function scopeOf(ctx: RequestContext): string {
  const caller = ctx.caller;
  if (caller?.key !== undefined) return `k:${caller.key.id}`;
  if (caller?.user !== undefined) return `u:${caller.user.id}`;
  return '';
}

export function createGuardSession(policies: GuardPolicies): GuardSession {
  const caches = new WeakMap<GuardPolicy, VerdictCache>();
  function entry(ctx: RequestContext): GuardRequestState | undefined {
    if (ctx.guard !== undefined) return ctx.guard;
    if (ctx.body === undefined || ctx.route.id === 'models') return undefined;
    const policy = policies.forEnv(ctx.caller?.env);
    if (!policy.config.enabled) return undefined;
    ctx.guard = { policy, vault: undefined, slots: undefined };
    return ctx.guard;
  }

  return {
    of: entry,
    slots(ctx) {
      const e = entry(ctx);
      if (e === undefined || ctx.body === undefined || ctx.route.id === 'models') return [];
      e.slots ??= collectTextSlots(ctx.route.id, ctx.body);
      return e.slots;
    },
    rewrote(ctx) {
      ctx.rawBody = Buffer.from(JSON.stringify(ctx.body));
    },
    restructured(ctx) {
      const e = entry(ctx);
      if (e !== undefined) e.slots = undefined;
      ctx.rawBody = Buffer.from(JSON.stringify(ctx.body));
    },
    vault(ctx) {
      const state = entry(ctx);
      if (state === undefined) return createPseudonymVault();
      state.vault ??= createPseudonymVault();
      return state.vault;
    },
    verdict(ctx, kind, text, find) {
      const state = entry(ctx);
      // Most prompts are short: no scope string and no digest map for a text never cached.
      if (state === undefined || !isCacheableLength(text)) return find(text);
      let cache = caches.get(state.policy);
      if (cache === undefined) {
        cache = new VerdictCache();
        caches.set(state.policy, cache);
      }
      state.digests ??= new Map();
      return cache.get(kind, scopeOf(ctx), text, state.digests, find);
    },
  };
}

/** Counts per (type, action), appended to the audit decisions once, without matched text. */
export class Tally {
  readonly #counts = new Map<string, { type: string; action: string; count: number }>();

  add(type: string, action: string, count = 1): void {
    const key = `${type}\u0000${action}`;
    const known = this.#counts.get(key);
    if (known !== undefined) known.count += count;
    else this.#counts.set(key, { type, action, count });
  }

  get isEmpty(): boolean {
    return this.#counts.size === 0;
  }

  flushTo(decisions: AuditDecision[], stage: string): void {
    for (const { type, action, count } of this.#counts.values()) {
      decisions.push({ stage, action, type, count });
    }
    this.#counts.clear();
  }
}
