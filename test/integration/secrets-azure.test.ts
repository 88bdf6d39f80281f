import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAzure, type FakeAzure } from '../helpers/fake-managers/azure.js';
import { configuredResolver, fakeClock } from '../helpers/secrets.js';

const ctx = { component: 'provider:openai' };
const KEY_V1 = 'sk-azure-canary-value-v1-6e2a91';
const KEY_V2 = 'sk-azure-canary-value-v2-c4f07b';

describe('azure: Azure Key Vault', () => {
  let az: FakeAzure;
  let env: NodeJS.ProcessEnv;
  let v1: string;
  beforeAll(async () => {
    az = await startFakeAzure();
    v1 = az.set('bastion-kv', 'openai-key', KEY_V1);
    az.set('other-kv', 'openai-key', KEY_V1);
    env = {
      AZURE_TENANT_ID: az.tenantId,
      AZURE_CLIENT_ID: az.clientId,
      AZURE_CLIENT_SECRET: az.clientSecret,
    };
  });
  afterAll(() => az.close());

  const cfg = (extra: Record<string, unknown> = {}) => ({
    azure: { authorityHost: az.url, vaultUrl: `${az.url}/{vault}`, ...extra },
  });
  const tokenCalls = () => az.seen.filter((r) => r.path.endsWith('/oauth2/v2.0/token')).length;

  it('gets a secret with a client-credentials token, reusing the token, pinning a version', async () => {
    const { resolver, audits, lines } = configuredResolver(cfg(), env);
    const before = tokenCalls();
    expect((await resolver.resolve('azure:bastion-kv/openai-key', ctx)).reveal()).toBe(KEY_V1);
    expect((await resolver.resolve(`azure:bastion-kv/openai-key/${v1}`, ctx)).reveal()).toBe(
      KEY_V1,
    );
    expect(tokenCalls() - before).toBe(1);
    expect(az.seen.at(-1)?.path).toBe(`/bastion-kv/secrets/openai-key/${v1}?api-version=7.4`);
    expect(audits.filter((a) => a.scheme === 'azure').map((a) => a.version)).toEqual([v1, v1]);
    const text = lines.join('');
    for (const s of [KEY_V1, az.clientSecret, ...az.issued]) expect(text).not.toContain(s);
    await resolver.close();
  });

  it('accepts literal tenant and client ids', async () => {
    const { resolver } = configuredResolver(cfg({ tenantId: az.tenantId, clientId: az.clientId }), {
      AZURE_CLIENT_SECRET: az.clientSecret,
    });
    expect((await resolver.resolve('azure:bastion-kv/openai-key', ctx)).reveal()).toBe(KEY_V1);
    await resolver.close();
  });

  it('a wrong client secret or a vault without access is secret_auth_failed', async () => {
    const bad = configuredResolver(cfg(), {
      ...env,
      AZURE_CLIENT_SECRET: 'wrong~secret~000000000',
    });
    const err = (await bad.resolver
      .resolve('azure:bastion-kv/openai-key', ctx)
      .catch((e: unknown) => e)) as Error & { code: string };
    expect([err.code, err.message]).toEqual([
      'secret_auth_failed',
      expect.stringContaining('(invalid_client)'),
    ]);
    expect(err.message).not.toContain('wrong~secret');
    await bad.resolver.close();
    const denied = configuredResolver(cfg(), env);
    await expect(denied.resolver.resolve('azure:other-kv/openai-key', ctx)).rejects.toMatchObject({
      code: 'secret_auth_failed',
    });
    await denied.resolver.close();
  });

  it('a missing secret is secret_not_found', async () => {
    const { resolver } = configuredResolver(cfg(), env);
    await expect(resolver.resolve('azure:bastion-kv/absent', ctx)).rejects.toMatchObject({
      code: 'secret_not_found',
    });
    await resolver.close();
  });

  it('an expired token is replaced once on 401', async () => {
    const { resolver } = configuredResolver(
      { ...cfg(), cacheTtlSec: 1 },
      env,
      fakeClock(Date.now()),
    );
    await resolver.resolve('azure:bastion-kv/openai-key', ctx);
    az.issued.clear();
    const before = tokenCalls();
    expect((await resolver.reload()).failed).toEqual([]);
    expect(tokenCalls() - before).toBe(1);
    await resolver.close();
  });

  it('picks up a new version on reload and on TTL expiry (injected clock)', async () => {
    az.set('bastion-kv', 'rotating', KEY_V1);
    const clock = fakeClock(Date.now());
    const { resolver, audits } = configuredResolver({ ...cfg(), cacheTtlSec: 120 }, env, clock);
    const handle = await resolver.handle('azure:bastion-kv/rotating', ctx);
    const v2 = az.set('bastion-kv', 'rotating', KEY_V2);
    expect((await resolver.reload()).changed).toEqual(['azure:bastion-kv/rotating']);
    expect([handle.current().reveal(), audits.at(-1)?.version]).toEqual([KEY_V2, v2]);
    az.set('bastion-kv', 'rotating', KEY_V1);
    clock.advance(120_000);
    expect((await resolver.resolve('azure:bastion-kv/rotating', ctx)).reveal()).toBe(KEY_V1);
    await resolver.close();
  });
});
