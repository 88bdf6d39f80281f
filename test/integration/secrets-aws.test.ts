import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAws, type FakeAws } from '../helpers/fake-managers/aws.js';
import { configuredResolver, fakeClock } from '../helpers/secrets.js';

const ctx = { component: 'provider:openai' };
const KEY_V1 = 'sk-aws-canary-value-v1-51c0e9';
const KEY_V2 = 'sk-aws-canary-value-v2-0a8d44';

describe('aws: AWS Secrets Manager', () => {
  let aws: FakeAws;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    aws = await startFakeAws('eu-west-1');
    aws.put('prod/openai', KEY_V1);
    aws.put('prod/json', JSON.stringify({ openai: KEY_V1, other: 'x' }));
    env = { AWS_ACCESS_KEY_ID: aws.accessKeyId, AWS_SECRET_ACCESS_KEY: aws.secretAccessKey };
  });
  afterAll(() => aws.close());

  const cfg = (extra: Record<string, unknown> = {}) => ({
    aws: { region: 'eu-west-1', endpoint: aws.url, ...extra },
  });

  it('gets a secret string with a SigV4-signed GetSecretValue, by name, ARN and JSON field', async () => {
    const { resolver, audits, lines } = configuredResolver(cfg(), env);
    expect((await resolver.resolve('aws:prod/openai', ctx)).reveal()).toBe(KEY_V1);
    expect((await resolver.resolve(`aws:${aws.arnOf('prod/openai')}`, ctx)).reveal()).toBe(KEY_V1);
    expect((await resolver.resolve('aws:prod/json#openai', ctx)).reveal()).toBe(KEY_V1);
    const sent = aws.seen.at(-1);
    expect(sent?.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(JSON.parse(sent?.body ?? '')).toEqual({ SecretId: 'prod/json' });
    expect(audits.filter((a) => a.scheme === 'aws').map((a) => a.version)).toEqual([
      expect.stringMatching(/^00000000-/),
      expect.stringMatching(/^00000000-/),
      expect.stringMatching(/^00000000-/),
    ]);
    expect(lines.join('')).not.toContain(KEY_V1);
    expect(lines.join('')).not.toContain(aws.secretAccessKey);
    await resolver.close();
  });

  it('signs session tokens for temporary credentials', async () => {
    const { resolver } = configuredResolver(cfg({ sessionToken: 'env:AWS_SESSION_TOKEN' }), {
      ...env,
      AWS_SESSION_TOKEN: 'fake-session-token-abcdef123456',
    });
    expect((await resolver.resolve('aws:prod/openai', ctx)).reveal()).toBe(KEY_V1);
    expect(aws.seen.at(-1)?.headers['x-amz-security-token']).toBe(
      'fake-session-token-abcdef123456',
    );
    await resolver.close();
  });

  it('an unknown key id or a wrong secret key is secret_auth_failed, never echoing a credential', async () => {
    for (const bad of [
      { ...env, AWS_ACCESS_KEY_ID: 'AKIAUNKNOWNKEY000000' },
      { ...env, AWS_SECRET_ACCESS_KEY: 'wrong/secret/access/key/0000000000000000' },
    ]) {
      const { resolver } = configuredResolver(cfg(), bad);
      const err = (await resolver
        .resolve('aws:prod/openai', ctx)
        .catch((e: unknown) => e)) as Error & { code: string };
      expect(err.code).toBe('secret_auth_failed');
      expect(err.message).toMatch(/^aws:prod\/openai: /);
      expect(err.message).not.toMatch(/AKIA|wrong\/secret/);
      await resolver.close();
    }
  });

  it('a missing secret or JSON field is secret_not_found', async () => {
    const { resolver } = configuredResolver(cfg(), env);
    await expect(resolver.resolve('aws:prod/absent', ctx)).rejects.toMatchObject({
      code: 'secret_not_found',
    });
    await expect(resolver.resolve('aws:prod/json#absent', ctx)).rejects.toMatchObject({
      code: 'secret_not_found',
    });
    await expect(resolver.resolve('aws:prod/openai#field', ctx)).rejects.toMatchObject({
      code: 'secret_not_found',
    });
    await resolver.close();
  });

  it('picks up a new version on reload and on TTL expiry (injected clock)', async () => {
    aws.put('prod/rotating', KEY_V1);
    const clock = fakeClock(Date.now());
    const { resolver, audits } = configuredResolver({ ...cfg(), cacheTtlSec: 60 }, env, clock);
    const handle = await resolver.handle('aws:prod/rotating', ctx);
    const v1 = audits.at(-1)?.version;
    aws.put('prod/rotating', KEY_V2);
    expect((await resolver.reload()).changed).toEqual(['aws:prod/rotating']);
    expect(handle.current().reveal()).toBe(KEY_V2);
    expect(audits.at(-1)?.version).not.toBe(v1);
    aws.put('prod/rotating', KEY_V1);
    clock.advance(60_000);
    expect((await resolver.resolve('aws:prod/rotating', ctx)).reveal()).toBe(KEY_V1);
    await resolver.close();
  });

  it('without a region, a plain name is refused with the fix', async () => {
    const { resolver } = configuredResolver({ aws: { endpoint: aws.url } }, env);
    const err = (await resolver.resolve('aws:prod/openai', ctx).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('secrets.aws.region');
    expect((await resolver.resolve(`aws:${aws.arnOf('prod/openai')}`, ctx)).reveal()).toBe(KEY_V1);
    await resolver.close();
  });
});
