export { createPiiDetector } from './detect.js';
export type { PiiDetector, PiiDetectorOptions } from './detect.js';
export type { CustomPiiRule } from './custom.js';
export {
  createPseudonymVault,
  MAX_PLACEHOLDER_CHARS,
  PLACEHOLDER_PATTERN,
  stemOf,
} from './pseudonym.js';
export type { PseudonymVault } from './pseudonym.js';
export { BUILTIN_PII_TYPES } from './types.js';
export type { BuiltinPiiType, PiiFinding } from './types.js';
export { luhnValid } from './card.js';
export { ibanChecksumValid } from './iban.js';
