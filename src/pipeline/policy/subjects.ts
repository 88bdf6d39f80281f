import { isEmptyLimitSet, type LimitSubject, type PolicyModel } from '../../policy/model.js';
import type { Environment, LimitSet, VirtualKeyRecord } from '../../store/types.js';
import type { Caller } from '../context.js';
import type { EndUser } from './request-policy.js';

/** Subjects with at least one limit; undefined when the user's tier is not configured. */
export type SubjectResolver = (
  caller: Caller,
  user: EndUser | undefined,
  team: string | undefined,
  tier: string | undefined,
) => readonly LimitSubject[] | undefined;

interface KeySubjects {
  readonly env: Environment;
  /** A copy of the key's own limits the entry was built from (compared field by field). */
  readonly limits: LimitSet;
  /** The key's subject (its limits over the environment's key defaults), if it has limits. */
  readonly subject: LimitSubject | undefined;
  /** The subjects of a request with no end user and no team: key, environment, global. */
  readonly alone: readonly LimitSubject[];
}

const MAX_CACHED_KEYS = 10_000;
const NO_LIMITS: LimitSet = {};
/** Every field of a limit set: a field added to `LimitSet` must be added here to compile. */
const LIMIT_FIELDS = Object.keys({
  rps: true,
  rpm: true,
  rph: true,
  tpm: true,
  concurrency: true,
  dailyBudgetMicroUsd: true,
  monthlyBudgetMicroUsd: true,
} satisfies Record<keyof LimitSet, true>) as (keyof LimitSet)[];

/**
 * Every party whose limits apply to a request, in the order they are checked: key, user, team,
 * environment, global. The subjects are built once, at start for the environments, teams and
 * global, and on a key's first request (again when its limits change) for a key, so a request
 * with no end user reuses the same objects and the stages after it plan from them without
 * allocating.
 */
export function createSubjectResolver(model: PolicyModel): SubjectResolver {
  const withLimits = (s: LimitSubject) => (isEmptyLimitSet(s.limits) ? undefined : s);
  const global = withLimits({ kind: 'global', id: '*', limits: model.global });
  const envTail = (env: Environment): readonly LimitSubject[] => {
    const total = withLimits({ kind: 'env', id: env, limits: model.envs[env].total });
    return [total, global].filter((s) => s !== undefined);
  };
  const tails: Readonly<Record<Environment, readonly LimitSubject[]>> = {
    dev: envTail('dev'),
    staging: envTail('staging'),
    prod: envTail('prod'),
    ci: envTail('ci'),
  };
  const teams = new Map<string, LimitSubject>();
  for (const [id, limits] of model.teams) {
    const s = withLimits({ kind: 'team', id, limits });
    if (s !== undefined) teams.set(id, s);
  }
  const keys = new Map<string, KeySubjects>();

  function ofKey(key: VirtualKeyRecord, env: Environment): KeySubjects {
    const limits = key.scopes.limits ?? NO_LIMITS;
    const hit = keys.get(key.id);
    if (hit !== undefined && hit.env === env && sameLimits(hit.limits, limits)) return hit;
    const subject = withLimits({
      kind: 'key',
      id: key.id,
      limits: { ...model.envs[env].keyDefaults, ...limits },
    });
    const entry = {
      env,
      limits: { ...limits },
      subject,
      alone: subject === undefined ? tails[env] : [subject, ...tails[env]],
    };
    if (keys.size >= MAX_CACHED_KEYS) keys.clear();
    keys.set(key.id, entry);
    return entry;
  }

  return function resolveSubjects(caller, user, team, tier) {
    const key = caller.key === undefined ? undefined : ofKey(caller.key, caller.env);
    let userSubject: LimitSubject | undefined;
    if (user !== undefined && tier !== undefined) {
      const tierLimits = model.tiers.get(tier);
      if (tierLimits === undefined) return undefined;
      const id =
        user.source === 'jwt' ? `jwt:${user.id}` : `app:${caller.key?.id ?? ''}:${user.id}`;
      userSubject = withLimits({ kind: 'user', id, limits: tierLimits });
    }
    const teamSubject = team === undefined ? undefined : teams.get(team);
    if (userSubject === undefined && teamSubject === undefined) {
      return key?.alone ?? tails[caller.env];
    }
    const out: LimitSubject[] = [];
    if (key?.subject !== undefined) out.push(key.subject);
    if (userSubject !== undefined) out.push(userSubject);
    if (teamSubject !== undefined) out.push(teamSubject);
    out.push(...tails[caller.env]);
    return out;
  };
}

function sameLimits(a: LimitSet, b: LimitSet): boolean {
  for (const f of LIMIT_FIELDS) if (a[f] !== b[f]) return false;
  return true;
}
