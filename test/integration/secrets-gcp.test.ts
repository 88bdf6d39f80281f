import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGcp, type FakeGcp } from '../helpers/fake-managers/gcp.js';
import { configuredResolver, fakeClock } from '../helpers/secrets.js';

const ctx = { component: 'provider:openai' };
const KEY_V1 = 'sk-gcp-canary-value-v1-93b1d7';
const KEY_V2 = 'sk-gcp-canary-value-v2-2f6c08';
const REF = 'gcp:projects/fake-project/secrets/openai';

describe('gcp: Google Secret Manager', () => {
  let gcp: FakeGcp;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    gcp = await startFakeGcp();
    gcp.addVersion('fake-project', 'openai', KEY_V1);
    gcp.addVersion('other-project', 'openai', KEY_V1);
    env = { GCP_SA_KEY: gcp.keyFile };
  });
  afterAll(() => gcp.close());

  const cfg = () => ({ gcp: { credentials: 'env:GCP_SA_KEY', endpoint: gcp.url } });
  const tokenCalls = () => gcp.seen.filter((r) => r.path === '/token').length;

  it('exchanges a signed service-account JWT for a token, then accesses and decodes the payload', async () => {
    const { resolver, audits, lines } = configuredResolver(cfg(), env);
    const before = tokenCalls();
    expect((await resolver.resolve(REF, ctx)).reveal()).toBe(KEY_V1);
    expect((await resolver.resolve(`${REF}/versions/1`, ctx)).reveal()).toBe(KEY_V1);
    expect(tokenCalls() - before).toBe(1);
    expect(gcp.seen.at(-1)?.path).toBe(
      '/v1/projects/fake-project/secrets/openai/versions/1:access',
    );
    expect(audits.filter((a) => a.scheme === 'gcp').map((a) => a.version)).toEqual(['1', '1']);
    const text = lines.join('');
    for (const s of [KEY_V1, ...gcp.issued]) expect(text).not.toContain(s);
    expect(text).not.toContain('PRIVATE KEY');
    await resolver.close();
  });

  it('a key the token endpoint does not trust, or a project without access, is secret_auth_failed', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = JSON.stringify({
      ...(JSON.parse(gcp.keyFile) as object),
      private_key: stranger.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    const bad = configuredResolver(cfg(), { GCP_SA_KEY: forged });
    const err = (await bad.resolver.resolve(REF, ctx).catch((e: unknown) => e)) as Error & {
      code: string;
    };
    expect([err.code, err.message]).toEqual([
      'secret_auth_failed',
      expect.stringContaining('(invalid_grant)'),
    ]);
    await bad.resolver.close();
    const denied = configuredResolver(cfg(), env);
    await expect(
      denied.resolver.resolve('gcp:projects/other-project/secrets/openai', ctx),
    ).rejects.toMatchObject({
      code: 'secret_auth_failed',
    });
    await denied.resolver.close();
  });

  it('a malformed key file is refused without echoing it', async () => {
    const { resolver } = configuredResolver(cfg(), {
      GCP_SA_KEY: '{"private_key":"-----BEGIN not json',
    });
    const err = (await resolver.resolve(REF, ctx).catch((e: unknown) => e)) as Error & {
      code: string;
    };
    expect([err.code, err.message.includes('BEGIN')]).toEqual(['secret_unavailable', false]);
    await resolver.close();
  });

  it('a missing secret or version is secret_not_found; a bad checksum is refused', async () => {
    const { resolver } = configuredResolver(cfg(), env);
    await expect(
      resolver.resolve('gcp:projects/fake-project/secrets/absent', ctx),
    ).rejects.toMatchObject({ code: 'secret_not_found' });
    await expect(resolver.resolve(`${REF}/versions/9`, ctx)).rejects.toMatchObject({
      code: 'secret_not_found',
    });
    gcp.corruptNext();
    await expect(resolver.resolve(REF, ctx)).rejects.toMatchObject({ code: 'secret_unavailable' });
    await resolver.close();
  });

  it('a revoked token is replaced once on 401', async () => {
    const { resolver } = configuredResolver(cfg(), env);
    await resolver.resolve(REF, ctx);
    gcp.issued.clear();
    const before = tokenCalls();
    expect((await resolver.reload()).failed).toEqual([]);
    expect(tokenCalls() - before).toBe(1);
    await resolver.close();
  });

  it('picks up a new version on reload and on TTL expiry (injected clock)', async () => {
    gcp.addVersion('fake-project', 'rotating', KEY_V1);
    const clock = fakeClock(Date.now());
    const { resolver, audits } = configuredResolver({ ...cfg(), cacheTtlSec: 30 }, env, clock);
    const ref = 'gcp:projects/fake-project/secrets/rotating';
    const handle = await resolver.handle(ref, ctx);
    gcp.addVersion('fake-project', 'rotating', KEY_V2);
    expect((await resolver.reload()).changed).toEqual([ref]);
    expect([handle.current().reveal(), audits.at(-1)?.version]).toEqual([KEY_V2, '2']);
    gcp.addVersion('fake-project', 'rotating', KEY_V1);
    clock.advance(30_000);
    expect((await resolver.resolve(ref, ctx)).reveal()).toBe(KEY_V1);
    expect(audits.at(-1)).toMatchObject({ trigger: 'ttl', version: '3' });
    await resolver.close();
  });
});
