export { createSecretDetector } from './detect.js';
export type {
  DetectorWork,
  SecretDetector,
  SecretDetectorOptions,
  SecretFinding,
} from './detect.js';
export { shannonEntropy } from './entropy.js';
export { fingerprintSecret, maskSecret } from './mask.js';
export { checkLinearPattern, UnsafePatternError } from './pattern-check.js';
export type { CompanionRule, RuleMatch, SecretRule, SecretSeverity } from './rule.js';
export { defaultSecretRules } from './rules.js';
export { redactionRules } from './rules-redact.js';
