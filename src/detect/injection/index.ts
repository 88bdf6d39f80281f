export { createInjectionDetector } from './detect.js';
export type { InjectionDetector } from './detect.js';
export { loadInjectionModel } from './model.js';
export type { InjectionCategory } from './rules.js';
