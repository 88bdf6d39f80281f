import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminRoute } from '../../src/server/admin/router.js';
import { admin, ADMIN_TOKEN, adminRouteTable } from '../helpers/admin.js';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';

const OPS_TOKEN = 'adm-ops-canary-token-4b1e9d7c2a6f3e80'; // bastion:allow test canary
const VIEWER_TOKEN = 'adm-viewer-canary-token-8d2c6a4e1f9b7350'; // bastion:allow test canary
const OPS_TOKEN_NEXT = 'adm-ops-canary-token-next-5e3a1c9d7b2f4068'; // bastion:allow test canary

/** Values for `:param` segments: ones the test gateway has, so an admin call would act. */
const PARAMS: Readonly<Record<string, string | undefined>> = {
  id: 'openai',
  label: 'openai-primary',
  scope: 'global',
  target: '*',
};

/** A body each action accepts from an admin, so a refusal can only come from the role. */
function bodyFor(route: AdminRoute): unknown {
  if (route.path === '/admin/keys') return { name: 'viewer-made', env: 'dev' };
  if (route.path === '/admin/keys/:id/scopes') return {};
  if (route.path.startsWith('/admin/killswitch')) return { reason: 'viewer tried' };
  if (route.path === '/admin/providers/:id/keys')
    return { label: 'viewer-added', apiKey: 'env:TEST_OPENAI_KEY' };
  if (route.path === '/admin/providers/:id/keys/:label') return { state: 'revoked', force: true };
  return {};
}

describe('admin roles: viewer reads, never acts; actions carry the token label', () => {
  let gw: TestGateway;
  let opsTokenFile: string;
  let virtualKeyId: string;

  beforeAll(async () => {
    opsTokenFile = join(mkdtempSync(join(tmpdir(), 'bastion-admin-')), 'ops-token');
    writeFileSync(opsTokenFile, OPS_TOKEN);
    gw = await startTestGateway({
      env: { BASTION_ADMIN_TOKEN: ADMIN_TOKEN, VIEWER_TOKEN },
      config: {
        controlPlane: {
          port: 0,
          admin: {
            tokens: [
              { label: 'ops', role: 'admin', token: `file:${opsTokenFile}` },
              { label: 'auditor', role: 'viewer', token: 'env:VIEWER_TOKEN' },
            ],
          },
        },
      },
    });
    const key = await gw.createKey({ name: 'app' });
    virtualKeyId = key.id;
    const res = await post(
      `${gw.url}/v1/chat/completions`,
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
      { authorization: `Bearer ${key.secret}` },
    );
    expect(res.status).toBe(200);
    await res.text();
    await gw.flushAudit();
  });
  afterAll(() => gw.close());

  it('lets a viewer read keys, audit, usage, spend, providers and kill switches', async () => {
    const keys = await admin(gw, 'GET', '/admin/keys', undefined, VIEWER_TOKEN);
    expect(keys.status).toBe(200);
    expect(JSON.stringify(keys.body)).toContain(virtualKeyId);
    const audit = await admin(gw, 'GET', '/admin/audit', undefined, VIEWER_TOKEN);
    expect(audit.status).toBe(200);
    const rows = (audit.body as { data: { keyId: string; status: number }[] }).data;
    expect(rows).toContainEqual(expect.objectContaining({ keyId: virtualKeyId, status: 200 }));
    const usage = await admin(gw, 'GET', '/admin/usage?sinceMs=0', undefined, VIEWER_TOKEN);
    expect(usage.status).toBe(200);
    for (const path of ['/admin/budgets', '/admin/providers', '/admin/killswitch']) {
      expect((await admin(gw, 'GET', path, undefined, VIEWER_TOKEN)).status, path).toBe(200);
    }
  });

  it('refuses every action of the admin router to a viewer with 403 admin_role_forbidden', async () => {
    const actions = adminRouteTable(gw).filter((r) => r.method !== 'GET');
    expect(actions.length).toBeGreaterThan(5);
    for (const route of actions) {
      const params = route.path.startsWith('/admin/keys/') ? { id: virtualKeyId } : PARAMS;
      const path = route.path.replace(/:(\w+)/g, (_, name: string) => params[name] ?? 'x');
      const res = await admin(gw, route.method, path, bodyFor(route), VIEWER_TOKEN);
      expect(res.status, `${route.method} ${route.path}`).toBe(403);
      expect(res.body).toMatchObject({ error: { code: 'admin_role_forbidden' } });
    }
    // Nothing happened: the key is live, no switch is set, the provider key still serves.
    const key = await admin(gw, 'GET', `/admin/keys/${virtualKeyId}`);
    expect(key.body).toMatchObject({ revokedAtMs: null });
    const switches = await admin(gw, 'GET', '/admin/killswitch');
    expect((switches.body as { data: unknown[] }).data).toEqual([]);
    const providers = (await admin(gw, 'GET', '/admin/providers')).body as {
      data: { id: string; keys: { label: string; state: string }[] }[];
    };
    const openai = providers.data.find((p) => p.id === 'openai');
    expect(openai?.keys.map((k) => [k.label, k.state])).toEqual([['openai-primary', 'active']]);
    // Each refused attempt is an operator event under the viewer's label.
    const events = (await admin(gw, 'GET', '/admin/events')).body as {
      data: { actor: string; action: string; target: string }[];
    };
    const refused = events.data.filter((e) => e.action === 'admin_action_refused');
    expect(refused).toHaveLength(actions.length);
    for (const e of refused) expect(e.actor).toBe('auditor/alice');
  });

  it("records an admin's action under the token's label", async () => {
    const res = await admin(gw, 'PUT', '/admin/killswitch/key/k-1', { reason: 'test' }, OPS_TOKEN);
    expect(res.status).toBe(200);
    await admin(gw, 'DELETE', '/admin/killswitch/key/k-1', undefined, ADMIN_TOKEN);
    const events = (await admin(gw, 'GET', '/admin/events')).body as {
      data: { actor: string; action: string }[];
    };
    expect(events.data).toContainEqual(
      expect.objectContaining({ actor: 'ops/alice', action: 'kill_switch_set' }),
    );
    expect(events.data).toContainEqual(expect.objectContaining({ actor: 'env-admin/alice' }));
    expect(gw.logs.join('')).toContain('"event":"admin_action","label":"ops"');
  });

  it('follows a secret reload: the new token works, the old one is refused', async () => {
    writeFileSync(opsTokenFile, OPS_TOKEN_NEXT);
    expect((await admin(gw, 'POST', '/admin/secrets/reload', undefined, OPS_TOKEN)).status).toBe(
      200,
    );
    expect((await admin(gw, 'GET', '/admin/keys', undefined, OPS_TOKEN_NEXT)).status).toBe(200);
    const old = await admin(gw, 'GET', '/admin/keys', undefined, OPS_TOKEN);
    expect(old.status).toBe(401);
    expect(old.body).toMatchObject({ error: { code: 'admin_unauthorized' } });
  });

  it('never lets a token reach a log line, an answer, an event or a stored byte', async () => {
    await gw.flushAudit();
    const events = JSON.stringify((await admin(gw, 'GET', '/admin/events?limit=1000')).body);
    const audit = JSON.stringify((await admin(gw, 'GET', '/admin/audit?limit=1000')).body);
    const stored = readFileSync(gw.dbPath).toString('latin1');
    const seen = [gw.logs.join(''), events, audit, stored].join('\n');
    for (const canary of [ADMIN_TOKEN, OPS_TOKEN, OPS_TOKEN_NEXT, VIEWER_TOKEN])
      expect(seen).not.toContain(canary);
  });
});
