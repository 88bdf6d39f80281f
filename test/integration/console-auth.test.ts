import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { consoleRoutes } from '../../src/server/admin/console-routes.js';
import { policyAdminRoutes } from '../../src/server/admin/policy-routes.js';
import { loadConsoleAssets } from '../../src/server/console/assets.js';
import { createConsole } from '../../src/server/console/console.js';
import { createSessionStore, DEFAULT_SESSION_OPTIONS } from '../../src/server/console/session.js';
import { systemClock } from '../../src/util/clock.js';
import { admin, ADMIN_TOKEN } from '../helpers/admin.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

interface Signed {
  cookie: string;
  csrf: string;
}

async function code(res: Response): Promise<string | undefined> {
  return ((await res.json()) as { error?: { code?: string } }).error?.code;
}

/** The console's HTTP contract, without a browser: what a forged or replayed call gets. */
describe('console sign-in, sessions and CSRF', () => {
  let gw: TestGateway;
  let base: string;

  beforeAll(async () => {
    gw = await startTestGateway({ env: { BASTION_ADMIN_TOKEN: ADMIN_TOKEN } });
    base = gw.controlUrl ?? '';
  });
  afterAll(() => gw.close());

  async function signIn(token = ADMIN_TOKEN, url = base): Promise<Signed> {
    const res = await fetch(`${url}/console/login`, {
      method: 'POST',
      headers: { origin: url, 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toContain(token);
    const body = (await res.json()) as { csrfToken: string };
    return { cookie: setCookie.split(';')[0] ?? '', csrf: body.csrfToken };
  }

  const engage = (s: Signed, headers: Record<string, string>, url = base) =>
    fetch(`${url}/console/api/killswitch/env/ci`, {
      method: 'PUT',
      headers: { cookie: s.cookie, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ reason: 'test' }),
    });

  it('serves the console page with a strict content security policy', async () => {
    const res = await fetch(`${base}/console`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect((await fetch(`${base}/console/static/../../package.json`)).status).toBe(404);
  });

  it('refuses a wrong token and a sign-in posted from another origin', async () => {
    const wrong = await fetch(`${base}/console/login`, {
      method: 'POST',
      headers: { origin: base, 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'adm-wrong-token-000000000000' }),
    });
    expect([wrong.status, await code(wrong)]).toEqual([401, 'console_login_failed']);
    const cross = await fetch(`${base}/console/login`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ token: ADMIN_TOKEN }),
    });
    expect([cross.status, await code(cross)]).toEqual([403, 'console_csrf_rejected']);
  });

  it('acts only with the session cookie, its CSRF token and the console origin together', async () => {
    const s = await signIn();
    const other = await signIn();
    const refusals = [
      await engage(s, { origin: base }),
      await engage(s, { origin: base, 'x-csrf-token': other.csrf }),
      await engage(s, { 'x-csrf-token': s.csrf }),
      await engage(s, { origin: 'http://evil.example', 'x-csrf-token': s.csrf }),
      await engage(s, { origin: base, 'x-csrf-token': s.csrf, 'sec-fetch-site': 'same-site' }),
    ];
    for (const res of refusals)
      expect([res.status, await code(res)]).toEqual([403, 'console_csrf_rejected']);
    expect(
      ((await admin(gw, 'GET', '/admin/killswitch')).body as { data: unknown[] }).data,
    ).toEqual([]);

    const ok = await engage(s, { origin: base, 'x-csrf-token': s.csrf });
    expect(ok.status).toBe(200);
    const switches = (await admin(gw, 'GET', '/admin/killswitch')).body as {
      data: { target: string; actor: string }[];
    };
    // Audited under the token's label.
    expect(switches.data).toEqual([expect.objectContaining({ target: 'ci', actor: 'admin' })]);
    await admin(gw, 'DELETE', '/admin/killswitch/env/ci');
  });

  it('ends the session on sign-out: the cookie no longer reads or acts', async () => {
    const s = await signIn();
    expect(
      (await fetch(`${base}/console/api/keys`, { headers: { cookie: s.cookie } })).status,
    ).toBe(200);
    const out = await fetch(`${base}/console/logout`, {
      method: 'POST',
      headers: { cookie: s.cookie, origin: base, 'x-csrf-token': s.csrf },
    });
    expect(out.status).toBe(204);
    const after = await fetch(`${base}/console/api/keys`, { headers: { cookie: s.cookie } });
    expect([after.status, await code(after)]).toEqual([401, 'console_session_required']);
  });

  it('lets a viewer read every page and refuses each of its actions', async () => {
    // A console over the same gateway's routes whose resolver names a viewer (the gateway's
    // own resolver knows only the admin token).
    const routes = [
      ...policyAdminRoutes({ store: gw.app.store, policy: gw.app.policy, clock: systemClock }),
      ...consoleRoutes({
        store: gw.app.store,
        chainKeys: { candidates: () => ({ keyId: undefined, hashers: [] }) },
        teams: () => new Set(),
        flushAudit: () => gw.flushAudit(),
        clock: systemClock,
      }),
    ];
    const handler = createConsole({
      resolveToken: (t) =>
        t === 'viewer-token-0123456789' ? { role: 'viewer', label: 'auditor' } : undefined,
      sessions: createSessionStore(systemClock, DEFAULT_SESSION_OPTIONS),
      routes,
      assets: loadConsoleAssets(),
      isTls: false,
      clock: systemClock,
      log: createLogger({ level: 'silent' }),
    });
    const server: Server = createServer(handler).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const s = await signIn('viewer-token-0123456789', url);
      for (const path of [
        '/keys',
        '/overview?range=1h',
        '/audit',
        '/access-review',
        '/killswitch',
        '/budgets',
      ]) {
        const res = await fetch(`${url}/console/api${path}`, { headers: { cookie: s.cookie } });
        expect(res.status, path).toBe(200);
      }
      const headers = {
        cookie: s.cookie,
        origin: url,
        'x-csrf-token': s.csrf,
        'content-type': 'application/json',
      };
      const acts = [
        await engage(s, { origin: url, 'x-csrf-token': s.csrf }, url),
        await fetch(`${url}/console/api/keys`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ name: 'v', env: 'dev' }),
        }),
        await fetch(`${url}/console/api/keys/x/revoke`, { method: 'POST', headers }),
      ];
      for (const res of acts)
        expect([res.status, await code(res)]).toEqual([403, 'console_read_only']);
    } finally {
      server.close();
    }
  });

  it('pauses sign-in after too many failures', async () => {
    const attempt = () =>
      fetch(`${base}/console/login`, {
        method: 'POST',
        headers: { origin: base, 'content-type': 'application/json' },
        body: JSON.stringify({ token: 'adm-guess-000000000000' }),
      });
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 21; i++) codes.push(await code(await attempt()));
    expect(codes.at(-1)).toBe('console_login_throttled');
    const res = await fetch(`${base}/console/login`, {
      method: 'POST',
      headers: { origin: base, 'content-type': 'application/json' },
      body: JSON.stringify({ token: ADMIN_TOKEN }),
    });
    // Even the right token waits: the pause holds for the whole address.
    expect([res.status, res.headers.get('retry-after') !== null]).toEqual([429, true]);
  });
});
