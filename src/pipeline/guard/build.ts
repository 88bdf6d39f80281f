import type { Stage } from '../stage.js';
import { createHttpClassifier, type InjectionClassifier } from './classifier.js';
import type { GuardConfig } from './config.js';
import { createGuardInjectionStage } from './injection.js';
import { createGuardNormalizeStage } from './normalize.js';
import { createGuardOutputStage } from './output.js';
import { createGuardPiiStage } from './pii.js';
import { createGuardPolicies, type GuardPolicy } from './policy.js';
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
}

/** Compiles the guard policies once and builds its stages, which share per-request state. */
export function createGuardStages(config: GuardConfig, deps: GuardDeps = {}): GuardStages {
  const session = createGuardSession(createGuardPolicies(config));
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
    guard_normalize: createGuardNormalizeStage({ session }),
    guard_secrets: createGuardSecretsStage({ session }),
    guard_injection: createGuardInjectionStage({ session, classifierFor }),
    guard_pii: createGuardPiiStage({ session }),
    guard_system_prompt: createGuardSystemPromptStage({ session }),
    guard_output: createGuardOutputStage({ session }),
  };
}
