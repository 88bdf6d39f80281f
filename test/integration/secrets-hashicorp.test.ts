import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredResolver, fakeClock } from '../helpers/secrets.js';
import { startFakeVault, type FakeVault } from '../helpers/fake-managers/hashicorp.js';

const ctx = { component: 'provider:openai' };
const KEY_V1 = 'sk-hcv-canary-value-v1-8d2f1a';
const KEY_V2 = 'sk-hcv-canary-value-v2-3c7b9e';

describe('hcv: HashiCorp Vault KV v2, token auth', () => {
  let vault: FakeVault;
  beforeAll(async () => {
    vault = await startFakeVault({ namespace: 'team-a' });
    vault.write('bastion/openai', { api_key: KEY_V1 });
    vault.write('bastion/multi', { a: 'value-a-12345678', b: 'value-b-12345678' });
  });
  afterAll(() => vault.close());

  const cfg = (token = 'env:VAULT_TOKEN') => ({
    hashicorp: { address: vault.url, namespace: 'team-a', auth: { method: 'token', token } },
  });

  it('reads a field with the token and namespace headers, audits the version', async () => {
    const { resolver, audits, lines } = configuredResolver(cfg(), { VAULT_TOKEN: vault.rootToken });
    const secret = await resolver.resolve('hcv:secret/data/bastion/openai#api_key', ctx);
    expect(secret.reveal()).toBe(KEY_V1);
    const read = vault.seen.at(-1);
    expect([read?.method, read?.path]).toEqual(['GET', '/v1/secret/data/bastion/openai']);
    expect(read?.headers['x-vault-token']).toBe(vault.rootToken);
    expect(read?.headers['x-vault-namespace']).toBe('team-a');
    expect(audits.at(-1)).toMatchObject({ outcome: 'ok', version: '1', trigger: 'start' });
    expect(audits.map((a) => [a.ref, a.trigger])).toContainEqual(['env:VAULT_TOKEN', 'credential']);
    expect(lines.join('')).not.toContain(KEY_V1);
    expect(lines.join('')).not.toContain(vault.rootToken);
    await resolver.close();
  });

  it('an unknown token is secret_auth_failed, naming the ref and never the token', async () => {
    const { resolver } = configuredResolver(cfg(), { VAULT_TOKEN: 'hvs.wrong-token-000000000' });
    const err = (await resolver
      .resolve('hcv:secret/data/bastion/openai#api_key', ctx)
      .catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('secret_auth_failed');
    expect(err.message).toContain('hcv:secret/data/bastion/openai#api_key');
    expect(err.message).not.toContain('hvs.wrong');
    await resolver.close();
  });

  it('a missing path or field is secret_not_found', async () => {
    const { resolver } = configuredResolver(cfg(), { VAULT_TOKEN: vault.rootToken });
    await expect(resolver.resolve('hcv:secret/data/bastion/absent#k', ctx)).rejects.toMatchObject({
      code: 'secret_not_found',
    });
    await expect(
      resolver.resolve('hcv:secret/data/bastion/openai#nope', ctx),
    ).rejects.toMatchObject({ code: 'secret_not_found' });
    const multi = (await resolver
      .resolve('hcv:secret/data/bastion/multi', ctx)
      .catch((e: unknown) => e)) as Error;
    expect(multi.message).toContain('fields a, b; name one with #field');
    expect(multi.message).not.toContain('value-a');
    await resolver.close();
  });

  it('picks up a new version on reload and on TTL expiry (injected clock)', async () => {
    vault.write('bastion/rotating', { api_key: KEY_V1 });
    const clock = fakeClock();
    const { resolver, audits } = configuredResolver(
      { ...cfg(), cacheTtlSec: 300 },
      { VAULT_TOKEN: vault.rootToken },
      clock,
    );
    const ref = 'hcv:secret/data/bastion/rotating#api_key';
    const handle = await resolver.handle(ref, ctx);
    vault.write('bastion/rotating', { api_key: KEY_V2 });
    expect(await resolver.reload()).toMatchObject({ refreshed: 1, changed: [ref], failed: [] });
    expect(handle.current().reveal()).toBe(KEY_V2);
    expect(audits.at(-1)).toMatchObject({ ref, trigger: 'reload', version: '2', isChanged: true });
    vault.write('bastion/rotating', { api_key: KEY_V1 });
    clock.advance(299_000);
    expect((await resolver.resolve(ref, ctx)).reveal()).toBe(KEY_V2);
    clock.advance(1_000);
    expect((await resolver.resolve(ref, ctx)).reveal()).toBe(KEY_V1);
    expect(audits.at(-1)).toMatchObject({ ref, trigger: 'ttl', version: '3' });
    await resolver.close();
  });

  it('an unreachable Vault is secret_unavailable', async () => {
    const { resolver } = configuredResolver(
      { hashicorp: { address: 'http://127.0.0.1:1', auth: { method: 'token' } }, timeoutMs: 2_000 },
      { VAULT_TOKEN: vault.rootToken },
    );
    await expect(resolver.resolve('hcv:secret/data/x#k', ctx)).rejects.toMatchObject({
      code: 'secret_unavailable',
    });
    await resolver.close();
  });
});

describe('hcv: AppRole auth', () => {
  let vault: FakeVault;
  beforeAll(async () => {
    vault = await startFakeVault({ leaseSec: 600 });
    vault.write('bastion/openai', { api_key: KEY_V1 });
  });
  afterAll(() => vault.close());

  const setup = (secretId: string, clock = fakeClock()) => ({
    clock,
    ...configuredResolver(
      {
        hashicorp: {
          address: vault.url,
          auth: { method: 'approle', roleId: 'env:ROLE_ID', secretId: 'env:SECRET_ID' },
        },
        cacheTtlSec: 60,
      },
      { ROLE_ID: vault.roleId, SECRET_ID: secretId },
      clock,
    ),
  });
  const logins = () => vault.seen.filter((r) => r.path === '/v1/auth/approle/login').length;

  it('logs in once, reuses the token, logs in again when the lease ends or the token is refused', async () => {
    const { resolver, clock, lines } = setup(vault.secretId);
    const before = logins();
    const ref = 'hcv:secret/data/bastion/openai#api_key';
    expect((await resolver.resolve(ref, ctx)).reveal()).toBe(KEY_V1);
    clock.advance(60_000);
    await resolver.resolve(ref, ctx);
    expect(logins() - before).toBe(1);
    clock.advance(600_000); // past 90% of the lease
    await resolver.resolve(ref, ctx);
    expect(logins() - before).toBe(2);
    vault.issued.clear(); // every token revoked: the next read gets 403, one fresh login recovers
    clock.advance(60_000);
    expect((await resolver.resolve(ref, ctx)).reveal()).toBe(KEY_V1);
    expect(logins() - before).toBe(3);
    expect(lines.join('')).not.toMatch(/hvs\.approle-token|secret-id-5f3a/);
    await resolver.close();
  });

  it('a refused login is secret_auth_failed', async () => {
    const { resolver } = setup('wrong-secret-id-000000');
    await expect(
      resolver.resolve('hcv:secret/data/bastion/openai#api_key', ctx),
    ).rejects.toMatchObject({
      code: 'secret_auth_failed',
    });
    await resolver.close();
  });
});
