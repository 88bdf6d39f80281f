import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // expect.poll waits on a condition; its default 1 s deadline is a timed assertion in
    // disguise on a loaded 2-core CI host, so it gets the same order of patience as a test.
    expect: { poll: { timeout: 15_000, interval: 25 } },
    pool: 'forks',
    // Config under test names `env:DATABASE_URL` / `env:REDIS_URL`; the local services by
    // default, as scripts/test-services.js (npm test's pretest) checks and starts them.
    env: {
      DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    },
    reporters: ['default'],
  },
});
