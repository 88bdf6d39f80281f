export { createInjectionDetector } from './detect.js';
export type { InjectionDetector, InjectionDetectorOptions, InjectionResult } from './detect.js';
export { DEFAULT_MODEL_PATH, loadInjectionModel, type InjectionModel } from './model.js';
export type { InjectionCategory, InjectionRule } from './rules.js';
