import type { Environment, LimitSet } from '../store/types.js';
import { usdToMicro } from '../pricing/prices.js';
import type { LimitSetConfig, PolicyConfig } from './config.js';
import { compileGlobs, type NameMatcher } from './glob.js';

export type SubjectKind = 'key' | 'user' | 'team' | 'env' | 'global';

/** One party whose limits apply to a request, e.g. the key, its team, its environment. */
export interface LimitSubject {
  readonly kind: SubjectKind;
  /** Unique within its kind, e.g. a key id, `jwt:<sub>`, `app:<key id>:<user>`, `prod`. */
  readonly id: string;
  readonly limits: LimitSet;
}

interface EnvPolicy {
  readonly keyDefaults: LimitSet;
  readonly total: LimitSet;
  readonly models: NameMatcher | undefined;
  readonly providers: ReadonlySet<string> | undefined;
}

/** The configured policy, converted once (dollars to micro-dollars, globs compiled). */
export interface PolicyModel {
  readonly accepts: ReadonlySet<Environment>;
  readonly envs: Readonly<Record<Environment, EnvPolicy>>;
  readonly global: LimitSet;
  readonly teams: ReadonlyMap<string, LimitSet>;
  readonly tiers: ReadonlyMap<string, LimitSet>;
  readonly defaultTier: string;
  /** Tier of app-named users whose key has none; undefined: no per-user limits for them. */
  readonly appUserTier: string | undefined;
  readonly endUserHeader: string;
}

export function toLimitSet(c: LimitSetConfig): LimitSet {
  const out: LimitSet = {};
  if (c.rps !== undefined) out.rps = c.rps;
  if (c.rpm !== undefined) out.rpm = c.rpm;
  if (c.rph !== undefined) out.rph = c.rph;
  if (c.tpm !== undefined) out.tpm = c.tpm;
  if (c.concurrency !== undefined) out.concurrency = c.concurrency;
  if (c.dailyBudgetUsd !== undefined) out.dailyBudgetMicroUsd = usdToMicro(c.dailyBudgetUsd);
  if (c.monthlyBudgetUsd !== undefined) out.monthlyBudgetMicroUsd = usdToMicro(c.monthlyBudgetUsd);
  return out;
}

export function createPolicyModel(cfg: PolicyConfig): PolicyModel {
  const env = (e: Environment): EnvPolicy => {
    const c = cfg.environments[e];
    return {
      keyDefaults: toLimitSet(c.keyDefaults),
      total: toLimitSet(c.total),
      models: c.models === undefined ? undefined : compileGlobs(c.models),
      providers: c.providers === undefined ? undefined : new Set(c.providers),
    };
  };
  return {
    accepts: new Set(cfg.acceptEnvironments),
    envs: { dev: env('dev'), staging: env('staging'), prod: env('prod'), ci: env('ci') },
    global: toLimitSet(cfg.global),
    teams: new Map(Object.entries(cfg.teams).map(([k, v]) => [k, toLimitSet(v)])),
    tiers: new Map(Object.entries(cfg.tiers).map(([k, v]) => [k, toLimitSet(v)])),
    defaultTier: cfg.defaultTier,
    appUserTier: cfg.appUserTier,
    endUserHeader: cfg.endUserHeader,
  };
}

export function isEmptyLimitSet(l: LimitSet): boolean {
  for (const _ in l) return false;
  return true;
}
