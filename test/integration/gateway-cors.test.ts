import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { jwtConfig, startTestIdp, type TestIdp } from '../helpers/jwks.js';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';

const PAGE = 'https://app.example.test';
const OTHER = 'https://evil.example.test';
const chatBody = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

describe('CORS on the data plane', () => {
  let gw: TestGateway;
  let idp: TestIdp;
  let jwt: string;
  let virtualKey: string;
  const preflight = (origin: string, method = 'POST', headers = 'authorization, content-type') =>
    fetch(`${gw.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': method,
        'access-control-request-headers': headers,
      },
    });

  beforeAll(async () => {
    idp = await startTestIdp();
    gw = await startTestGateway({
      config: {
        server: { cors: { allowedOrigins: [PAGE], maxAgeSec: 300 } },
        jwt: jwtConfig(idp),
      },
    });
    jwt = await idp.sign({ sub: 'user-1' });
    virtualKey = (await gw.createKey({ env: 'staging' })).secret;
  });
  afterAll(async () => {
    await gw.close();
    await idp.close();
  });

  it('answers a preflight from an allowed origin with what the browser needs', async () => {
    const res = await preflight(PAGE, 'POST', 'authorization, content-type, x-stainless-os');
    expect(res.status).toBe(204);
    expect(Object.fromEntries(res.headers)).toMatchObject({
      'access-control-allow-origin': PAGE,
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'authorization, content-type, x-stainless-os',
      'access-control-max-age': '300',
    });
  });

  it('refuses a preflight for another origin, method or header, with no CORS headers', async () => {
    const cases: [string, string, string, string][] = [
      [OTHER, 'POST', 'authorization', 'origin'],
      [`${PAGE}.evil.test`, 'POST', 'authorization', 'origin'],
      [PAGE, 'DELETE', 'authorization', 'method'],
      [PAGE, 'POST', 'authorization, x-forwarded-host', 'header'],
    ];
    for (const [origin, method, headers, reason] of cases) {
      const res = await preflight(origin, method, headers);
      expect(res.status).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('cors_preflight_refused');
      expect(body.error.message).toContain(reason);
    }
  });

  it('lets an allowed page read the answer of a JWT call, ids and error codes included', async () => {
    const res = await post(`${gw.url}/v1/chat/completions`, chatBody, {
      origin: PAGE,
      authorization: `Bearer ${jwt}`,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(res.headers.get('vary')).toBe('Origin');
    expect(res.headers.get('access-control-expose-headers')).toContain('x-request-id');
    const refused = await post(`${gw.url}/v1/chat/completions`, chatBody, { origin: PAGE });
    expect([refused.status, refused.headers.get('access-control-allow-origin')]).toEqual([
      401,
      PAGE,
    ]);
  });

  it('gives a page of another origin no CORS headers, so its browser withholds the answer', async () => {
    const res = await post(`${gw.url}/v1/chat/completions`, chatBody, {
      origin: OTHER,
      authorization: `Bearer ${jwt}`,
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a virtual key from an allowed page before looking it up; servers are unaffected', async () => {
    const before = gw.mock.received.length;
    for (const key of [virtualKey, 'bk_staging_not-a-real-key']) {
      const res = await post(`${gw.url}/v1/chat/completions`, chatBody, {
        origin: PAGE,
        authorization: `Bearer ${key}`,
      });
      expect([res.status, res.headers.get('x-bastion-error-code')]).toEqual([
        403,
        'virtual_key_from_browser',
      ]);
    }
    expect(gw.mock.received.length).toBe(before);
    const server = await post(`${gw.url}/v1/chat/completions`, chatBody, {
      authorization: `Bearer ${virtualKey}`,
    });
    expect(server.status).toBe(200);
  });
});

describe('CORS settings', () => {
  it('is off by default: no CORS headers, and OPTIONS is not a method of the API', async () => {
    const gw = await startTestGateway();
    try {
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'OPTIONS',
        headers: { origin: PAGE, 'access-control-request-method': 'POST' },
      });
      expect([res.status, res.headers.get('access-control-allow-origin')]).toEqual([405, null]);
    } finally {
      await gw.close();
    }
  });

  it('accepts virtual keys from pages only when allowVirtualKeys is set', async () => {
    const gw = await startTestGateway({
      config: { server: { cors: { allowedOrigins: [PAGE], allowVirtualKeys: true } } },
    });
    try {
      const { secret } = await gw.createKey({ env: 'dev' });
      const res = await post(`${gw.url}/v1/chat/completions`, chatBody, {
        origin: PAGE,
        authorization: `Bearer ${secret}`,
      });
      expect([res.status, res.headers.get('access-control-allow-origin')]).toEqual([200, PAGE]);
    } finally {
      await gw.close();
    }
  });

  it('refuses wildcards, paths and trailing slashes in allowedOrigins, naming the fix', () => {
    for (const origin of ['*', 'https://*.example.com', 'https://app.example.com/', 'app.com']) {
      let error: unknown;
      try {
        loadConfig({ env: {}, overrides: { server: { cors: { allowedOrigins: [origin] } } } });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect(String((error as Error).message)).toContain(
        'server.cors.allowedOrigins.0: must be an exact origin',
      );
    }
  });
});
