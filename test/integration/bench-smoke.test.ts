import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The component benches import dist/ directly, so an API change can break them without any
// test noticing (policy.js and upstream.js did, until a bench run found them). Each runs here
// with a handful of iterations: not to measure, only to prove `npm run bench` still works.
const root = resolve(import.meta.dirname, '../..');
const cases: [string, Record<string, string>][] = [
  ['policy.js', { BENCH_POLICY_ITERATIONS: '50' }],
  ['upstream.js', { BENCH_UPSTREAM_ITERATIONS: '50' }],
  ['guard.js', { BENCH_GUARD_ITERATIONS: '20' }],
  ['stream-guard.js', { BENCH_STREAM_ITERATIONS: '20' }],
  ['audit-chain.js', { BENCH_AUDIT_RECORDS: '200' }],
  ['audit-path.js', { BENCH_AUDIT_PATH_REQUESTS: '200' }],
  ['audit-durability.js', { BENCH_AUDIT_SECONDS: '1', BENCH_AUDIT_ROUNDS: '1' }],
  ['first-token.js', { BENCH_FIRST_TOKEN_REQUESTS: '20' }],
  ['anomaly.js', { BENCH_ANOMALY_ITERATIONS: '2000' }],
];

describe('npm run bench, component benches', () => {
  it.each(cases)(
    'bench/%s runs to the end',
    (file, env) => {
      const run = spawnSync(process.execPath, [resolve(root, 'bench', file)], {
        cwd: root,
        env: { ...process.env, ...env },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(run.stderr).not.toMatch(/Error/);
      expect(run.status).toBe(0);
    },
    150_000,
  );
});
