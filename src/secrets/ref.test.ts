import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSecretRef } from './ref.js';

describe('parseSecretRef', () => {
  it.each([
    ['env:OPENAI_API_KEY', { scheme: 'env', name: 'OPENAI_API_KEY' }],
    ['file:/run/secrets/openai', { scheme: 'file', path: '/run/secrets/openai' }],
    ['vault:openai/prod', { scheme: 'vault', name: 'openai/prod' }],
    [
      'hcv:secret/data/bastion/openai#api_key',
      { scheme: 'hcv', mount: 'secret', path: 'bastion/openai', field: 'api_key' },
    ],
    [
      'hashicorp:kv/team/data/openai',
      { scheme: 'hcv', mount: 'kv/team', path: 'openai', field: undefined },
    ],
    ['aws:prod/openai', { scheme: 'aws', secretId: 'prod/openai', field: undefined }],
    [
      'aws:arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/openai-AbCdEf#key',
      {
        scheme: 'aws',
        secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/openai-AbCdEf',
        field: 'key',
      },
    ],
    [
      'azure:my-vault/openai-key',
      { scheme: 'azure', vault: 'my-vault', name: 'openai-key', version: undefined },
    ],
    [
      'azure:my-vault/openai-key/4387e9f3d6e14c459867679a90fd0f79',
      {
        scheme: 'azure',
        vault: 'my-vault',
        name: 'openai-key',
        version: '4387e9f3d6e14c459867679a90fd0f79',
      },
    ],
    [
      'gcp:projects/p1/secrets/openai',
      { scheme: 'gcp', name: 'projects/p1/secrets/openai/versions/latest' },
    ],
    [
      'gcp:projects/p1/secrets/openai/versions/3',
      { scheme: 'gcp', name: 'projects/p1/secrets/openai/versions/3' },
    ],
  ])('parses %s', (raw, expected) => {
    expect(parseSecretRef(raw)).toEqual({ raw, ...expected });
  });

  it.each([
    'sk-live-literal-key',
    'env:',
    'env:1BAD',
    'env:A B',
    'nope:thing',
    'hcv:secret/bastion/openai',
    'hcv:/data/x',
    'hcv:secret/data/',
    'hcv:secret/data/x#',
    'aws:#field',
    'azure:v/name',
    'azure:my-vault/name/short',
    'azure:my-vault/a/b/c',
    'gcp:p1/openai',
    'gcp:projects/p1/secrets/openai/versions',
    'vault:../escape',
  ])('refuses %s with a sentence', (raw) => {
    const parsed = parseSecretRef(raw);
    expect(parsed).toHaveProperty('error');
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const parsed = parseSecretRef(s);
        expect(typeof parsed).toBe('object');
      }),
    );
  });
});
