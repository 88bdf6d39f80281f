import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnServe } from '../helpers/spawn.js';

/**
 * Issue 13: an idle gateway holds only what its config uses. OpenTelemetry (about 10 MiB of
 * RSS with its exporter) loads only with telemetry.tracing on, and the built-in mock provider
 * only in mock mode. A built `bastion serve` runs with a module-load hook (NODE_OPTIONS
 * `--import`) that writes every module URL it loads to a file; with tracing on the same hook
 * must see OpenTelemetry, so the check cannot pass by the hook seeing nothing.
 */
const dir = mkdtempSync(join(tmpdir(), 'bastion-footprint-'));
const hooks = join(dir, 'hooks.mjs');
writeFileSync(
  hooks,
  `import { appendFileSync } from 'node:fs';\n` +
    `export async function load(url, context, next) {\n` +
    `  appendFileSync(process.env.BASTION_TEST_LOADED, url + '\\n');\n` +
    `  return next(url, context);\n}\n`,
);
const register = join(dir, 'register.mjs');
writeFileSync(
  register,
  `import { register } from 'node:module';\n` +
    `register(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
);

/** Starts `bastion serve` (tracing on or off), stops it, and returns the modules it loaded. */
async function modulesLoaded(tracing: boolean): Promise<string[]> {
  const name = tracing ? 'tracing' : 'plain';
  const loaded = join(dir, `${name}.loaded`);
  writeFileSync(loaded, '');
  const configPath = join(dir, `${name}.yaml`);
  writeFileSync(
    configPath,
    JSON.stringify({
      server: { port: 0 },
      controlPlane: { port: 0 },
      stores: { kind: 'sqlite', sqlite: { path: join(dir, `${name}.db`) } },
      audit: { spoolPath: join(dir, `${name}.spool`) },
      providers: {
        openai: { kind: 'openai', baseUrl: 'http://127.0.0.1:9', apiKey: 'env:TEST_UPSTREAM_KEY' },
      },
      telemetry: { tracing: { enabled: tracing, endpoint: 'http://127.0.0.1:9/v1/traces' } },
    }),
  );
  const server = await spawnServe(['--config', configPath], {
    PATH: process.env.PATH,
    TEST_UPSTREAM_KEY: 'sk-footprint-upstream', // bastion:allow test canary
    BASTION_TEST_LOADED: loaded,
    NODE_OPTIONS: `--import ${pathToFileURL(register).href}`,
  });
  expect(await server.stop()).toBe(0);
  return readFileSync(loaded, 'utf8').split('\n');
}

describe('an idle gateway loads only what its config uses', () => {
  it('tracing off: no OpenTelemetry and no mock provider are loaded', async () => {
    const urls = await modulesLoaded(false);
    // The hook saw the gateway itself.
    expect(urls.some((u) => u.endsWith('/dist/app.js'))).toBe(true);
    expect(urls.filter((u) => u.includes('@opentelemetry'))).toEqual([]);
    expect(urls.filter((u) => u.includes('/providers/mock/'))).toEqual([]);
  }, 60_000);

  it('tracing on: OpenTelemetry is loaded', async () => {
    const urls = await modulesLoaded(true);
    expect(urls.some((u) => u.includes('@opentelemetry/sdk-trace-base'))).toBe(true);
  }, 60_000);
});
