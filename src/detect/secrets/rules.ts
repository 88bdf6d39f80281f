import type { SecretRule } from './rule.js';
import { genericRules, privateKeyRule } from './rules-generic.js';
import { platformRules } from './rules-platforms.js';
import { providerRules } from './rules-providers.js';

/**
 * The built-in rule set, in priority order: when findings of two rules overlap, the earlier
 * rule is reported. Private keys first, provider formats next, generic assignments last.
 */
export const defaultSecretRules: readonly SecretRule[] = [
  privateKeyRule,
  ...providerRules,
  ...platformRules,
  ...genericRules,
];
