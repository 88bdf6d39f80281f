export { createSecretDetector } from './detect.js';
export type { SecretDetector, SecretFinding } from './detect.js';
export { checkLinearPattern } from './pattern-check.js';
export type { SecretSeverity } from './rule.js';
export { defaultSecretRules } from './rules.js';
export { redactionRules } from './rules-redact.js';
