export { createInjectionDetector } from './detect.js';
export type { InjectionDetector, InjectionDetectorOptions, InjectionResult } from './detect.js';
export type { InjectionCategory, InjectionRule } from './rules.js';
