import { setImmediate as nextTurn } from 'node:timers/promises';
import { loadInjectionModel } from '../../detect/injection/index.js';
import type { Secret } from '../../log/secret.js';
import { ENVIRONMENTS } from '../../store/types.js';
import type { RequestContext } from '../context.js';
import type { Stage } from '../stage.js';
import { createHttpClassifier, type InjectionClassifier } from './classifier.js';
import type { GuardConfig, ModerationConfig } from '../../config/guard.js';
import { createGuardInjectionStage } from './injection.js';
import { createHttpModerator, type OutputModerator } from './moderation.js';
import { createGuardNormalizeStage } from './normalize.js';
import { createGuardOutputStage } from './output.js';
import type { ModerationHook } from './output-moderate.js';
import { createGuardPiiStage } from './pii.js';
import { createGuardPolicies, type GuardPolicies, type GuardPolicy } from './policy.js';
import { createGuardSecretsStage } from './secrets.js';
import { createGuardSystemPromptStage } from './system-prompt.js';
import { createGuardSession } from './state.js';

export interface GuardStages {
  guard_normalize: Stage;
  guard_secrets: Stage;
  guard_injection: Stage;
  guard_pii: Stage;
  guard_system_prompt: Stage;
  guard_output: Stage;
}

export interface GuardDeps {
  /** Replaces the HTTP classifier (tests, or an in-process model). */
  classifier?: InjectionClassifier;
  /** Replaces the HTTP moderation hook (tests, or an in-process model). */
  moderator?: OutputModerator;
  /** Resolves the moderation hook's header references (`env:`, `file:`), at build. */
  resolveSecret?: (ref: string) => Secret;
}

function httpModerator(opts: ModerationConfig, deps: GuardDeps): OutputModerator {
  const headers: Record<string, Secret> = {};
  for (const [name, ref] of Object.entries(opts.headers)) {
    if (deps.resolveSecret === undefined)
      throw new Error('guard.output.moderation.headers need a secret resolver');
    headers[name.toLowerCase()] = deps.resolveSecret(ref);
  }
  return createHttpModerator({ url: opts.url, timeoutMs: opts.timeoutMs, headers });
}

/**
 * One hook per policy that configures moderation, built now so a header reference that does
 * not resolve stops the start rather than a request.
 */
function moderationHooks(
  policies: GuardPolicies,
  deps: GuardDeps,
): (policy: GuardPolicy) => ModerationHook | undefined {
  const hooks = new Map<GuardPolicy, ModerationHook>();
  for (const env of [undefined, ...ENVIRONMENTS]) {
    const policy = policies.forEnv(env);
    const config = policy.config.output.moderation;
    if (config === undefined || hooks.has(policy)) continue;
    hooks.set(policy, { config, moderator: deps.moderator ?? httpModerator(config, deps) });
  }
  return (policy) => hooks.get(policy);
}

/** Bodies past this size are guarded one stage per event-loop turn. */
const YIELD_ABOVE_BYTES = 64 * 1024;

/**
 * Each input guard is linear in the prompt, but on a 1 MB prompt the four of them in one
 * synchronous run hold the event loop for up to a second; a turn between them lets health
 * checks and other callers' requests through. Small bodies run straight on.
 */
function yieldingOnLargeBody(stage: Stage): Stage {
  return {
    name: stage.name,
    run(ctx: RequestContext) {
      if ((ctx.rawBody?.length ?? 0) <= YIELD_ABOVE_BYTES) return stage.run(ctx);
      return nextTurn().then(() => stage.run(ctx));
    },
  };
}

/**
 * Reads and checks every injection model file the guard config names (cached per path), so a
 * missing or corrupt file stops the start before stores and sockets open.
 */
export function preloadGuardModels(config: GuardConfig): void {
  loadInjectionModel(config.injection.modelFile);
  for (const override of Object.values(config.environments))
    if (override.injection?.modelFile !== undefined)
      loadInjectionModel(override.injection.modelFile);
}

/** Compiles the guard policies once and builds its stages, which share per-request state. */
export function createGuardStages(config: GuardConfig, deps: GuardDeps = {}): GuardStages {
  const policies = createGuardPolicies(config);
  const session = createGuardSession(policies);
  const classifiers = new WeakMap<GuardPolicy, InjectionClassifier>();
  const classifierFor = (policy: GuardPolicy): InjectionClassifier | undefined => {
    const opts = policy.config.injection.classifier;
    if (opts === undefined) return undefined;
    let classifier = classifiers.get(policy);
    if (classifier === undefined) {
      classifier = deps.classifier ?? createHttpClassifier(opts);
      classifiers.set(policy, classifier);
    }
    return classifier;
  };
  return {
    guard_normalize: yieldingOnLargeBody(createGuardNormalizeStage({ session })),
    guard_secrets: yieldingOnLargeBody(createGuardSecretsStage({ session })),
    guard_injection: yieldingOnLargeBody(createGuardInjectionStage({ session, classifierFor })),
    guard_pii: yieldingOnLargeBody(createGuardPiiStage({ session })),
    guard_system_prompt: createGuardSystemPromptStage({ session }),
    guard_output: createGuardOutputStage({
      session,
      moderationFor: moderationHooks(policies, deps),
    }),
  };
}
