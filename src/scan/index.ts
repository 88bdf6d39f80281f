export { runScan } from './engine.js';
export { silentProgress } from './progress.js';
export type { ScanFinding } from './types.js';
