import { createMemoryLimitBackend } from '../../src/limits/memory.js';
import { runLimitsContract } from './limits.contract.js';

runLimitsContract('memory', () => {
  const backend = createMemoryLimitBackend();
  return Promise.resolve({ backend, peer: backend, cleanup: () => backend.close() });
});
