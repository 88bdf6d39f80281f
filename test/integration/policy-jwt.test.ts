import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { jwtConfig, startTestIdp, unsignedToken, type TestIdp } from '../helpers/jwks.js';
import { chatBody } from '../helpers/policy.js';

describe('end-user JWTs', () => {
  let idp: TestIdp;
  let gw: TestGateway;
  beforeAll(async () => {
    idp = await startTestIdp();
    gw = await startTestGateway({
      config: {
        jwt: jwtConfig(idp),
        policy: { tiers: { free: { rph: 1_000 }, pro: { rph: 1_000 } } },
      },
    });
  });
  afterAll(async () => {
    await gw.close();
    await idp.close();
  });

  async function send(token: string) {
    const res = await post(`${gw.url}/v1/chat/completions`, chatBody(), {
      authorization: `Bearer ${token}`,
    });
    return { status: res.status, code: res.headers.get('x-bastion-error-code') };
  }

  it('accepts a valid token and audits its user, team and environment (no key)', async () => {
    const token = await idp.sign({ sub: 'user-42', team: 'search', tier: 'pro' });
    expect(await send(token)).toEqual({ status: 200, code: null });
    await gw.flushAudit();
    const [row] = await gw.app.store.queryAudit({ limit: 1 });
    expect(row).toMatchObject({
      keyId: null,
      userId: 'user-42',
      team: 'search',
      env: 'staging',
      status: 200,
    });
    expect(JSON.stringify(row)).not.toContain(token);
    expect(gw.logs.join('')).not.toContain(token.split('.')[2]);
  });

  it('refuses a bad signature, wrong issuer, wrong audience, expiry and alg none, each with its code', async () => {
    const results = [
      await send(await idp.sign({ sub: 'u' }, { key: 'rogue' })),
      await send(await idp.sign({ sub: 'u', iss: 'https://evil.example' })),
      await send(await idp.sign({ sub: 'u', aud: 'someone-else' })),
      await send(
        await idp.sign(
          { sub: 'u' },
          { nowSec: Math.floor(Date.now() / 1000) - 3_600, expiresInSec: 60 },
        ),
      ),
      await send(
        unsignedToken({ sub: 'u', iss: idp.issuer, aud: idp.audience, exp: 9_999_999_999 }),
      ),
    ];
    expect(results).toEqual([
      { status: 401, code: 'jwt_invalid_signature' },
      { status: 401, code: 'jwt_issuer_mismatch' },
      { status: 401, code: 'jwt_audience_mismatch' },
      { status: 401, code: 'jwt_expired' },
      { status: 401, code: 'jwt_algorithm_refused' },
    ]);
  });

  it('refuses an HS256 token signed with the public key as the secret (algorithm confusion)', async () => {
    const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const head = `${part({ alg: 'HS256', kid: 'k1' })}.${part({ sub: 'u', iss: idp.issuer, aud: idp.audience, exp: 9_999_999_999 })}`;
    const mac = createHmac('sha256', JSON.stringify(idp.jwks.keys[0]))
      .update(head)
      .digest('base64url');
    expect(await send(`${head}.${mac}`)).toEqual({ status: 401, code: 'jwt_algorithm_refused' });
  });

  it('refuses a token without a user claim and garbage that only looks like a JWT', async () => {
    expect(await send(await idp.sign({ team: 'x' }))).toEqual({ status: 401, code: 'invalid_jwt' });
    expect(await send('eyJhbGciOi.e30.sig')).toEqual({ status: 401, code: 'invalid_jwt' });
  });

  it('fetches the JWKS once and serves later tokens from the cache', async () => {
    const before = idp.fetches;
    for (let i = 0; i < 5; i++)
      expect((await send(await idp.sign({ sub: `cache-${i}` }))).status).toBe(200);
    expect(idp.fetches - before).toBe(0);
    expect(idp.fetches).toBe(1);
  });
});

describe('JWT configuration', () => {
  it('answers jwt_not_accepted when JWTs are not enabled', async () => {
    const idp = await startTestIdp();
    const gw = await startTestGateway();
    try {
      const res = await post(`${gw.url}/v1/chat/completions`, chatBody(), {
        authorization: `Bearer ${await idp.sign({ sub: 'u' })}`,
      });
      expect([res.status, res.headers.get('x-bastion-error-code')]).toEqual([
        401,
        'jwt_not_accepted',
      ]);
    } finally {
      await gw.close();
      await idp.close();
    }
  });

  it('fails closed with 503 jwks_unavailable when the JWKS cannot be fetched', async () => {
    const idp = await startTestIdp();
    const token = await idp.sign({ sub: 'u' });
    const url = idp.jwksUrl;
    await idp.close();
    const gw = await startTestGateway({
      config: { jwt: { enabled: true, jwksUrl: url, algorithms: ['RS256'] } },
    });
    try {
      const res = await post(`${gw.url}/v1/chat/completions`, chatBody(), {
        authorization: `Bearer ${token}`,
      });
      expect([res.status, res.headers.get('x-bastion-error-code')]).toEqual([
        503,
        'jwks_unavailable',
      ]);
      expect(gw.mock.received).toHaveLength(0);
    } finally {
      await gw.close();
    }
  });

  it('verifies against a JWKS file', async () => {
    const idp = await startTestIdp();
    const file = join(mkdtempSync(join(tmpdir(), 'bastion-jwks-')), 'jwks.json');
    writeFileSync(file, JSON.stringify(idp.jwks));
    const gw = await startTestGateway({
      config: { jwt: { enabled: true, jwksFile: file, issuer: idp.issuer, algorithms: ['RS256'] } },
    });
    try {
      const res = await post(`${gw.url}/v1/chat/completions`, chatBody(), {
        authorization: `Bearer ${await idp.sign({ sub: 'file-user' })}`,
      });
      expect(res.status).toBe(200);
      expect(idp.fetches).toBe(0);
    } finally {
      await gw.close();
      await idp.close();
    }
  });
});
