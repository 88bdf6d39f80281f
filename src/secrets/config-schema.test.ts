import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/load.js';

const provider = (apiKey: string) => ({
  providers: { openai: { kind: 'openai', baseUrl: 'https://api.openai.com', apiKey } },
});

function problems(overrides: Record<string, unknown>): string[] {
  try {
    loadConfig({ env: {}, overrides });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
}

describe('secrets config', () => {
  it.each([
    'env:OPENAI_API_KEY',
    'file:/run/secrets/openai',
    'vault:openai',
    'hcv:secret/data/bastion/openai#api_key',
    'hashicorp:secret/data/bastion/openai',
    'aws:prod/openai#key',
    'azure:my-vault/openai-key',
    'gcp:projects/p/secrets/openai',
  ])('accepts the provider key reference %s', (ref) => {
    expect(problems(provider(ref))).toEqual([]);
  });

  it('refuses an inline key and a malformed reference, saying how to fix it', () => {
    expect(problems(provider('sk-live-abc'))).toEqual([
      expect.stringMatching(/^providers\.openai\.apiKey: inline secrets are refused; fix: use /),
    ]);
    expect(problems(provider('hcv:secret/bastion/openai'))).toEqual([
      expect.stringContaining('hcv: takes <mount>/data/<path>[#field]'),
    ]);
  });

  it('names the variable a pasted Anthropic key belongs in, not OPENAI_API_KEY, without echoing it', () => {
    const inline = 'sk-ant-api03-canary-4f1d9c2e7b';
    const [problem] = problems({
      providers: {
        claude: { kind: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: inline },
      },
    });
    expect(problem).toMatch(/^providers\.claude\.apiKey: .*use env:ANTHROPIC_API_KEY/);
    expect(problem).not.toContain('OPENAI_API_KEY');
    expect(problem).not.toContain(inline);
  });

  it('has working defaults and refuses inline manager credentials', () => {
    const { config } = loadConfig({ env: {} });
    expect(config.secrets).toEqual({
      cacheTtlSec: 0,
      timeoutMs: 10_000,
      vault: { path: './data/bastion.vault', kek: 'env:BASTION_VAULT_KEK' },
    });
    expect(
      problems({
        secrets: {
          hashicorp: {
            address: 'http://127.0.0.1:8200',
            auth: { method: 'token', token: 'hvs.x' },
          },
        },
      }),
    ).toEqual([expect.stringContaining('inline secrets are refused')]);
    const aws = loadConfig({ env: {}, overrides: { secrets: { aws: { region: 'eu-west-1' } } } });
    expect(aws.config.secrets.aws).toMatchObject({ accessKeyId: 'env:AWS_ACCESS_KEY_ID' });
  });

  it('reads secrets settings from BASTION_SECRETS__* but never the vault KEK as config', () => {
    const { config } = loadConfig({
      env: { BASTION_SECRETS__CACHE_TTL_SEC: '300', BASTION_VAULT_KEK: 'a'.repeat(44) },
    });
    expect(config.secrets.cacheTtlSec).toBe(300);
  });
});
