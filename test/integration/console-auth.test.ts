import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_ADMIN_LABEL } from '../../src/config/schema.js';
import { admin, ADMIN_TOKEN } from '../helpers/admin.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { createTestSchema, TEST_DATABASE_URL, type TestSchema } from '../helpers/postgres.js';

const VIEWER_TOKEN = 'viewer-test-token-5d2a9e8c1b7f4a30'; // bastion:allow test canary

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
    gw = await startTestGateway({
      env: { BASTION_ADMIN_TOKEN: ADMIN_TOKEN, VIEWER_TOKEN },
      config: {
        controlPlane: {
          port: 0,
          admin: { tokens: [{ label: 'auditor', role: 'viewer', token: 'env:VIEWER_TOKEN' }] },
        },
      },
    });
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
    expect(switches.data).toEqual([
      expect.objectContaining({ target: 'ci', actor: ENV_ADMIN_LABEL }),
    ]);
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

  it('lets a viewer read every page and refuses each of its actions, recording them', async () => {
    const s = await signIn(VIEWER_TOKEN);
    for (const path of [
      '/keys',
      '/overview?range=1h',
      '/audit',
      '/access-review',
      '/killswitch',
      '/budgets',
    ]) {
      const res = await fetch(`${base}/console/api${path}`, { headers: { cookie: s.cookie } });
      expect(res.status, path).toBe(200);
    }
    const headers = {
      cookie: s.cookie,
      origin: base,
      'x-csrf-token': s.csrf,
      'content-type': 'application/json',
    };
    const acts = [
      await engage(s, { origin: base, 'x-csrf-token': s.csrf }),
      await fetch(`${base}/console/api/keys`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ name: 'v', env: 'dev' }),
      }),
      await fetch(`${base}/console/api/keys/x/revoke`, { method: 'POST', headers }),
    ];
    for (const res of acts)
      expect([res.status, await code(res)]).toEqual([403, 'admin_role_forbidden']);
    const events = (await admin(gw, 'GET', '/admin/events')).body as {
      data: { actor: string; action: string }[];
    };
    expect(events.data.filter((e) => e.actor === 'auditor').map((e) => e.action)).toEqual([
      'admin_action_refused',
      'admin_action_refused',
      'admin_action_refused',
    ]);
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

/** Two replicas on one Postgres store, as behind a load balancer. */
describe('console sessions across replicas', () => {
  let a: TestGateway;
  let b: TestGateway;
  let schema: TestSchema;

  beforeAll(async () => {
    schema = await createTestSchema('console_replicas');
    const opts = {
      env: { BASTION_ADMIN_TOKEN: ADMIN_TOKEN, DATABASE_URL: TEST_DATABASE_URL },
      stores: { kind: 'postgres', postgres: { url: 'env:DATABASE_URL', schema: schema.schema } },
    };
    a = await startTestGateway(opts);
    b = await startTestGateway(opts);
  }, 30_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await schema?.drop();
  });

  it('signs in on one replica, acts on the other, and a sign-out on either holds on both', async () => {
    const urlA = a.controlUrl ?? '';
    const urlB = b.controlUrl ?? '';
    const res = await fetch(`${urlA}/console/login`, {
      method: 'POST',
      headers: { origin: urlA, 'content-type': 'application/json' },
      body: JSON.stringify({ token: ADMIN_TOKEN }),
    });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const onB = await fetch(`${urlB}/console/session`, { headers: { cookie } });
    expect([onB.status, ((await onB.json()) as { label: string }).label]).toEqual([
      200,
      ENV_ADMIN_LABEL,
    ]);
    const act = await fetch(`${urlB}/console/api/killswitch/env/ci`, {
      method: 'PUT',
      headers: {
        cookie,
        origin: urlB,
        'x-csrf-token': csrfToken,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ reason: 'replica b' }),
    });
    expect(act.status).toBe(200);
    await admin(a, 'DELETE', '/admin/killswitch/env/ci');

    const out = await fetch(`${urlB}/console/logout`, {
      method: 'POST',
      headers: { cookie, origin: urlB, 'x-csrf-token': csrfToken },
    });
    expect(out.status).toBe(204);
    for (const url of [urlA, urlB]) {
      const after = await fetch(`${url}/console/api/keys`, { headers: { cookie } });
      expect([after.status, await code(after)]).toEqual([401, 'console_session_required']);
    }
  });
});

describe('console with its store down', () => {
  it('refuses with 503 store_unavailable, never a session it cannot confirm', async () => {
    const gw = await startTestGateway({ env: { BASTION_ADMIN_TOKEN: ADMIN_TOKEN } });
    try {
      const base = gw.controlUrl ?? '';
      const res = await fetch(`${base}/console/login`, {
        method: 'POST',
        headers: { origin: base, 'content-type': 'application/json' },
        body: JSON.stringify({ token: ADMIN_TOKEN }),
      });
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      await gw.app.store.close();
      for (const path of ['/console/session', '/console/api/keys']) {
        const after = await fetch(`${base}${path}`, { headers: { cookie } });
        expect([after.status, await code(after)], path).toEqual([503, 'store_unavailable']);
      }
      const login = await fetch(`${base}/console/login`, {
        method: 'POST',
        headers: { origin: base, 'content-type': 'application/json' },
        body: JSON.stringify({ token: ADMIN_TOKEN }),
      });
      expect([login.status, await code(login)]).toEqual([503, 'store_unavailable']);
      expect(login.headers.get('set-cookie')).toBeNull();
    } finally {
      await gw.close();
    }
  });
});
