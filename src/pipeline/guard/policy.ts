import {
  createInjectionDetector,
  loadInjectionModel,
  type InjectionDetector,
} from '../../detect/injection/index.js';
import {
  BUILTIN_PII_TYPES,
  createPiiDetector,
  type BuiltinPiiType,
  type PiiDetector,
} from '../../detect/pii/index.js';
import { createSecretDetector, type SecretDetector } from '../../detect/secrets/index.js';
import type { Environment } from '../../store/types.js';
import type {
  GuardConfig,
  GuardOverride,
  GuardPolicyConfig,
  PiiAction,
} from '../../config/guard.js';

/** One environment's guard settings with every detector compiled once, at start. */
export interface GuardPolicy {
  readonly config: GuardPolicyConfig;
  /** Action per PII type (built-in and custom) for prompts. */
  readonly inputActions: ReadonlyMap<string, PiiAction>;
  /** Finds the PII types whose input action is not `allow`; undefined when none. */
  readonly inputPii: PiiDetector | undefined;
  /** Finds the PII types the output guard redacts; undefined when none. */
  readonly outputPii: PiiDetector | undefined;
  readonly secrets: SecretDetector;
  readonly injection: InjectionDetector;
}

export interface GuardPolicies {
  forEnv(env: Environment | undefined): GuardPolicy;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge, everything else (arrays included) replaces; undefined leaves the base. */
function merge<T>(base: T, over: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value !== undefined) out[key] = merge(out[key], value);
  }
  return out as T;
}

function compile(config: GuardPolicyConfig): GuardPolicy {
  const inputActions = new Map<string, PiiAction>();
  for (const type of BUILTIN_PII_TYPES) inputActions.set(type, config.pii.actions[type]);
  for (const rule of config.pii.custom) inputActions.set(rule.name, rule.action);
  const inputTypes = BUILTIN_PII_TYPES.filter((t) => inputActions.get(t) !== 'allow');
  const custom = config.pii.custom.filter((r) => r.action !== 'allow');
  const outputTypes: BuiltinPiiType[] = BUILTIN_PII_TYPES.filter(
    (t) => config.output.pii[t] === 'redact',
  );
  return {
    config,
    inputActions,
    inputPii:
      inputTypes.length + custom.length === 0
        ? undefined
        : createPiiDetector({ types: inputTypes, custom }),
    outputPii: outputTypes.length === 0 ? undefined : createPiiDetector({ types: outputTypes }),
    secrets: createSecretDetector({ disabledRules: config.secrets.disabledRules, maxFindings: 64 }),
    injection: createInjectionDetector({
      disabledRules: config.injection.disabledRules,
      model: loadInjectionModel(config.injection.modelFile),
    }),
  };
}

/** Compiles the base policy and one per environment override. */
export function createGuardPolicies(config: GuardConfig): GuardPolicies {
  const { environments, ...base } = config;
  const basePolicy = compile(base);
  const byEnv = new Map<Environment, GuardPolicy>();
  for (const [env, override] of Object.entries(environments) as [Environment, GuardOverride][]) {
    if (override === undefined) continue;
    const merged = merge(base, override);
    // A moderation hook is replaced whole: its headers carry credentials for its URL only.
    const hook = override.output?.moderation;
    if (hook !== undefined) merged.output = { ...merged.output, moderation: hook };
    byEnv.set(env, compile(merged));
  }
  return {
    forEnv: (env) => (env === undefined ? basePolicy : (byEnv.get(env) ?? basePolicy)),
  };
}
