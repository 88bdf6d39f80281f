export { createPiiDetector } from './detect.js';
export type { PiiDetector } from './detect.js';
export {
  createPseudonymVault,
  PLACEHOLDER_MAX_CHARS,
  PLACEHOLDER_PATTERN,
  stemOf,
} from './pseudonym.js';
export type { PseudonymVault } from './pseudonym.js';
export { BUILTIN_PII_TYPES } from './types.js';
export type { BuiltinPiiType } from './types.js';
