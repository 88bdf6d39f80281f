import { isValidIpRange } from '../../policy/cidr.js';
import { usdToMicro } from '../../pricing/prices.js';
import { parseKeyScopes } from '../../store/key-scopes.js';
import type { KeyScopes, LimitSet } from '../../store/types.js';
import { UsageError } from '../command.js';

/** Scope flags of `keys create` and `keys scopes`; lists are comma-separated. */
export const SCOPE_FLAGS = {
  models: { type: 'string' },
  endpoints: { type: 'string' },
  providers: { type: 'string' },
  'ip-ranges': { type: 'string' },
  'max-tokens': { type: 'string' },
  'max-tokens-mode': { type: 'string' },
  'max-request-usd': { type: 'string' },
  team: { type: 'string' },
  tier: { type: 'string' },
  rps: { type: 'string' },
  rpm: { type: 'string' },
  rph: { type: 'string' },
  tpm: { type: 'string' },
  concurrency: { type: 'string' },
  'daily-budget-usd': { type: 'string' },
  'monthly-budget-usd': { type: 'string' },
} as const;

type Values = Partial<Record<keyof typeof SCOPE_FLAGS, string>>;

const list = (v: string | undefined) =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');

function count(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,15}$/.test(v) || Number(v) === 0)
    throw new UsageError(`--${name} must be a positive integer`);
  return Number(v);
}

function dollars(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,9}(\.\d{1,6})?$/.test(v))
    throw new UsageError(`--${name} must be dollars, e.g. 5 or 0.25`);
  return usdToMicro(Number(v));
}

/** Builds and validates scopes from flags; throws UsageError naming the bad flag. */
export function scopesFromFlags(v: Values): KeyScopes {
  const limits: LimitSet = {};
  const set = <K extends keyof LimitSet>(k: K, value: LimitSet[K] | undefined) => {
    if (value !== undefined) limits[k] = value;
  };
  set('rps', count('rps', v.rps));
  set('rpm', count('rpm', v.rpm));
  set('rph', count('rph', v.rph));
  set('tpm', count('tpm', v.tpm));
  set('concurrency', count('concurrency', v.concurrency));
  set('dailyBudgetMicroUsd', dollars('daily-budget-usd', v['daily-budget-usd']));
  set('monthlyBudgetMicroUsd', dollars('monthly-budget-usd', v['monthly-budget-usd']));
  const raw: Record<string, unknown> = {
    models: list(v.models),
    endpoints: list(v.endpoints),
    providers: list(v.providers),
    ipRanges: list(v['ip-ranges']),
    maxTokens: count('max-tokens', v['max-tokens']),
    maxTokensMode: v['max-tokens-mode'],
    maxRequestCostMicroUsd: dollars('max-request-usd', v['max-request-usd']),
    team: v.team,
    tier: v.tier,
    limits: Object.keys(limits).length === 0 ? undefined : limits,
  };
  for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
  const bad = (list(v['ip-ranges']) ?? []).find((r) => !isValidIpRange(r));
  if (bad !== undefined) throw new UsageError(`--ip-ranges: not an IP or CIDR range: ${bad}`);
  const scopes = parseKeyScopes(raw);
  if (scopes === undefined) {
    throw new UsageError(
      'invalid scope flags: --endpoints takes chat_completions, responses, embeddings, messages, models; --max-tokens-mode clamp or refuse',
    );
  }
  return scopes;
}
