import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envOverlay } from './env.js';
import { ConfigError, loadConfig } from './load.js';
import { configSchema } from './schema.js';

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'bastion-cfg-')), 'bastion.yaml');
  writeFileSync(file, text);
  return file;
}

function problems(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs on built-in defaults alone, with the mock provider and familiar models', () => {
    const { config, isMockMode } = loadConfig({ env: {} });
    expect(isMockMode).toBe(true);
    expect(config.server.port).toBe(8080);
    expect(config.controlPlane.host).toBe('127.0.0.1');
    expect(Object.keys(config.models)).toEqual(
      expect.arrayContaining(['gpt-4o-mini', 'text-embedding-3-small', 'claude-haiku-4-5']),
    );
    expect(Object.isFrozen(config.server)).toBe(true);
  });

  it('configures the real providers from OPENAI_API_KEY / ANTHROPIC_API_KEY by reference', () => {
    const { config, isMockMode } = loadConfig({ env: { OPENAI_API_KEY: 'sk-x' } });
    expect(isMockMode).toBe(false);
    expect(config.providers.openai?.apiKey).toBe('env:OPENAI_API_KEY');
    expect(config.providers.anthropic).toBeUndefined();
    expect(config.models['claude-haiku-4-5']).toBeUndefined();
  });

  it('refuses an inline provider key, naming the path and the fix', () => {
    const file = yamlFile(
      'providers:\n  openai:\n    kind: openai\n    baseUrl: https://api.openai.com\n    apiKey: sk-live-123\n',
    );
    const found = problems(() => loadConfig({ file, env: {} }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^providers\.openai\.apiKey: inline secrets are refused; fix: use env:OPENAI_API_KEY/,
    );
    expect(found[0]).not.toContain('sk-live-123');
  });

  it('reports every problem at once', () => {
    const file = yamlFile(
      'server:\n  port: -1\n  colour: blue\nmodels:\n  m1:\n    provider: nowhere\n',
    );
    const found = problems(() => loadConfig({ file, env: {} }));
    expect(found.some((p) => p.startsWith('server.port:'))).toBe(true);
    expect(found.some((p) => p.includes('colour'))).toBe(true);
  });

  it('refuses a provider baseUrl with a query or fragment, which the upstream call would drop', () => {
    const file = yamlFile(
      'providers:\n  azure:\n    kind: openai\n    baseUrl: https://x.example/openai?api-version=1\n    apiKey: env:K\n',
    );
    expect(problems(() => loadConfig({ file, env: {} }))[0]).toMatch(
      /^providers\.azure\.baseUrl: has a query string/,
    );
  });

  it('refuses two pass-through providers of one kind and an alias on a model pattern', () => {
    const file = yamlFile(
      [
        'providers:',
        '  a: { kind: openai, baseUrl: https://a.example, apiKey: env:A, passthrough: true }',
        '  b: { kind: openai, baseUrl: https://b.example, apiKey: env:B, passthrough: true }',
        'models:',
        "  'gpt-*': { provider: a, upstreamModel: gpt-4o }",
        '',
      ].join('\n'),
    );
    const found = problems(() => loadConfig({ file, env: {} }));
    expect(found).toContainEqual(expect.stringMatching(/^models\.gpt-\*\.upstreamModel: /));
    expect(found).toContainEqual(expect.stringMatching(/^providers\.b\.passthrough: a and b /));
  });

  it('checks that models name configured providers', () => {
    const file = yamlFile('models:\n  m1:\n    provider: nowhere\n');
    expect(problems(() => loadConfig({ file, env: {} }))[0]).toMatch(
      /^models\.m1\.provider: no provider "nowhere"/,
    );
  });

  it('applies precedence defaults < file < env < flags', () => {
    const file = yamlFile('server:\n  port: 9001\n  bodyLimitBytes: 1000\n');
    const env = { BASTION_SERVER__PORT: '9002', BASTION_SERVER__BODY_LIMIT_BYTES: '2000' };
    expect(loadConfig({ file, env }).config.server.bodyLimitBytes).toBe(2000);
    expect(
      loadConfig({ file, env, overrides: { server: { port: 9003 } } }).config.server.port,
    ).toBe(9003);
  });

  it('maps env names to nested camelCase keys with typed scalars', () => {
    expect(
      envOverlay(
        {
          BASTION_CONTROL_PLANE__ENABLED: 'false',
          BASTION_LOG__LEVEL: 'debug',
          BASTION_PROVIDERS__MY_GROQ__BASE_URL: 'https://api.groq.com/openai',
          OTHER: 'x',
        },
        configSchema,
      ).values,
    ).toEqual({
      controlPlane: { enabled: false },
      log: { level: 'debug' },
      providers: { my_groq: { baseUrl: 'https://api.groq.com/openai' } },
    });
  });

  // Issue 11: the README's `export BASTION_KEY=…` made every later command exit 2 with
  // "unknown key(s) key", and so did the secret variables the docs suggest.
  it('ignores BASTION_ variables that are not config paths', () => {
    const env = {
      BASTION_KEY: 'bk_dev_demo',
      BASTION_METRICS_TOKEN: 'm',
      BASTION_AUDIT_CHAIN_KEY: 'c',
      BASTION_ALERT_SECRET: 'a',
      BASTION_ADMIN_TOKEN: 't',
      BASTION_ADMIN_URL: 'http://127.0.0.1:8081',
      BASTION_CONFIG: './bastion.yaml',
      BASTION_VAULT_KEK: 'k',
    };
    expect(loadConfig({ env }).config).toEqual(loadConfig({ env: {} }).config);
  });

  it('reports a config-like variable that names no setting, with the variable and a guess', () => {
    const found = problems(() => loadConfig({ env: { BASTION_SERVER__PROT: '9000' } }));
    expect(found).toEqual([
      expect.stringMatching(
        /^BASTION_SERVER__PROT \(environment\): .*did you mean BASTION_SERVER__PORT\?/,
      ),
    ]);
  });

  it('names the variable behind a bad value', () => {
    const found = problems(() => loadConfig({ env: { BASTION_SERVER__PORT: 'abc' } }));
    expect(found[0]).toMatch(/^server\.port: .*\(set by BASTION_SERVER__PORT\)$/);
  });

  it('suggests the key a misspelt YAML key meant', () => {
    const file = yamlFile(
      'providers:\n  openai:\n    kind: openai\n    baseUrl: https://api.openai.com\n    apikey: env:K\n    api_key: env:K\n',
    );
    const found = problems(() => loadConfig({ file, env: {} }));
    expect(found).toContainEqual(
      expect.stringContaining('apikey (did you mean apiKey?), api_key (did you mean apiKey?)'),
    );
    expect(problems(() => loadConfig({ file: yamlFile('sever: {}\n'), env: {} }))).toEqual([
      expect.stringContaining('sever (did you mean server?)'),
    ]);
  });

  it('explains unreadable and malformed files', () => {
    expect(problems(() => loadConfig({ file: '/nonexistent/bastion.yaml', env: {} }))[0]).toMatch(
      /cannot be read/,
    );
    expect(problems(() => loadConfig({ file: yamlFile('server: [1,'), env: {} }))[0]).toMatch(
      /not valid YAML/,
    );
  });
});

describe('limits.redis.cluster', () => {
  it('takes seed nodes and keeps breakers off a cluster they are not laid out for', () => {
    const cluster = { backend: 'redis', redis: { cluster: true } };
    const { config } = loadConfig({ env: {}, overrides: { limits: cluster } });
    expect(config.limits.redis).toMatchObject({ cluster: true, url: 'env:REDIS_URL' });
    expect(loadConfig({ env: {} }).config.limits.redis.cluster).toBe(false);
    const found = problems(() =>
      loadConfig({
        env: {},
        overrides: { limits: cluster, upstream: { circuit: { backend: 'redis' } } },
      }),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^upstream\.circuit\.backend: breaker state needs one Redis endpoint/);
  });
});
