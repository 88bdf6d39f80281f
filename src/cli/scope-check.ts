import type { Config } from '../config/schema.js';
import { globMatch } from '../policy/glob.js';
import type { KeyScopes } from '../store/types.js';
import { UsageError } from './command.js';
import { closest } from './help.js';

/** Escape hatches of the checks below, for values the config will only learn later. */
export const SCOPE_CHECK_FLAGS = {
  'allow-unknown-team': { type: 'boolean', default: false },
  'allow-unmatched-models': { type: 'boolean', default: false },
} as const;

export interface ScopeCheckFlags {
  'allow-unknown-team': boolean;
  'allow-unmatched-models': boolean;
}

/**
 * Refuses scopes that can never work with this config, before the key exists: a tier that is
 * not configured fails every request that names a user, a model glob that matches no model
 * refuses every request, an unknown provider id is never routed to, and a misspelt team
 * silently escapes the team's limits. Each refusal lists the valid values.
 */
export function checkScopes(scopes: KeyScopes, config: Config, flags: ScopeCheckFlags): void {
  const { teams, tiers } = config.policy;
  if (scopes.team !== undefined && !flags['allow-unknown-team']) {
    known('--team', scopes.team, Object.keys(teams), 'policy.teams', '--allow-unknown-team');
  }
  if (scopes.tier !== undefined) known('--tier', scopes.tier, Object.keys(tiers), 'policy.tiers');
  for (const id of scopes.providers ?? []) {
    known('--providers', id, Object.keys(config.providers), 'providers');
  }
  if (!flags['allow-unmatched-models']) {
    const models = Object.keys(config.models);
    for (const glob of scopes.models ?? []) checkGlob(glob, models);
  }
}

function known(flag: string, value: string, valid: string[], where: string, escape?: string) {
  if (valid.includes(value)) return;
  const guess = closest(value, valid);
  const list = valid.length === 0 ? `none are configured (${where})` : `valid: ${valid.join(', ')}`;
  throw new UsageError(
    `${flag} "${value}" is not configured${guess === undefined ? '' : `; did you mean "${guess}"?`} (${list}). ` +
      `Add it under ${where} in the config${escape === undefined ? '' : `, or pass ${escape}`}.`,
  );
}

/** A glob is useful if it matches a configured model, or a wildcard entry covers it. */
function checkGlob(glob: string, models: string[]): void {
  if (models.some((m) => globMatch(glob, m) || globMatch(m, glob))) return;
  const guess = closest(glob, [...models, ...models.map((m) => `${m}*`)]);
  const shown = models.slice(0, 12).join(', ') + (models.length > 12 ? ', …' : '');
  throw new UsageError(
    `--models "${glob}" matches no configured model${guess === undefined ? '' : `; did you mean "${guess}"?`} ` +
      `(models: ${shown}). Fix the glob, add the model under models, or pass --allow-unmatched-models.`,
  );
}
