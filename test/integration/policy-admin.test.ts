import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { admin, ADMIN_TOKEN } from '../helpers/admin.js';
import { chatBody } from '../helpers/policy.js';

interface KeyOut {
  id: string;
  key?: string;
  hash?: string;
  scopes: Record<string, unknown>;
}

describe('admin API', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { BASTION_ADMIN_TOKEN: ADMIN_TOKEN } });
  });
  afterAll(() => gw.close());

  it('refuses a missing or wrong token in constant time and never logs the token', async () => {
    const wrong = await admin(gw, 'GET', '/admin/keys', undefined, 'adm-wrong-token-000000000000');
    expect([wrong.status, wrong.body]).toMatchObject([
      401,
      { error: { code: 'admin_unauthorized' } },
    ]);
    const none = await fetch(`${gw.controlUrl ?? ''}/admin/keys`);
    expect(none.status).toBe(401);
    expect((await admin(gw, 'GET', '/admin/nope')).status).toBe(404);
    expect((await admin(gw, 'DELETE', '/admin/keys')).status).toBe(405);
    expect(gw.logs.join('')).not.toContain(ADMIN_TOKEN);
  });

  it('issues a scoped key (secret shown once), changes its scopes live and revokes it', async () => {
    const created = await admin(gw, 'POST', '/admin/keys', {
      name: 'search-svc',
      env: 'prod',
      scopes: { models: ['gpt-4o-mini'], limits: { rpm: 100, monthlyBudgetMicroUsd: 1_000_000 } },
    });
    expect(created.status).toBe(201);
    const key = created.body as KeyOut;
    expect(key.key).toMatch(/^bk_prod_/);
    expect(key.hash).toBeUndefined();
    const auth = { authorization: `Bearer ${key.key ?? ''}` };
    expect((await post(`${gw.url}/v1/chat/completions`, chatBody(), auth)).status).toBe(200);

    const listed = (await admin(gw, 'GET', '/admin/keys')).body as { data: KeyOut[] };
    expect(listed.data.find((k) => k.id === key.id)).toMatchObject({
      scopes: { models: ['gpt-4o-mini'] },
    });
    expect(JSON.stringify(listed)).not.toContain(key.key);

    const bad = await admin(gw, 'PUT', `/admin/keys/${key.id}/scopes`, {
      ipRanges: ['10.0.0.300/8'],
    });
    expect([bad.status, bad.body]).toMatchObject([400, { error: { code: 'invalid_request' } }]);
    const narrowed = await admin(gw, 'PUT', `/admin/keys/${key.id}/scopes`, {
      models: ['claude-*'],
    });
    expect(narrowed.status).toBe(200);
    const denied = await post(`${gw.url}/v1/chat/completions`, chatBody(), auth);
    expect([denied.status, denied.headers.get('x-bastion-error-code')]).toEqual([
      403,
      'scope_model_denied',
    ]);

    expect((await admin(gw, 'POST', `/admin/keys/${key.id}/revoke`)).body).toMatchObject({
      changed: true,
    });
    const revoked = await post(`${gw.url}/v1/chat/completions`, chatBody(), auth);
    expect(revoked.headers.get('x-bastion-error-code')).toBe('key_revoked');
    const events = (await admin(gw, 'GET', '/admin/events')).body as { data: { action: string }[] };
    expect(events.data.map((e) => e.action)).toEqual([
      'key_revoked',
      'key_scopes_updated',
      'key_created',
    ]);
  });

  it('shows budgets with this window spend, usage from the audit log, and alerts', async () => {
    const key = await gw.createKey({
      env: 'prod',
      scopes: { limits: { dailyBudgetMicroUsd: 5_000_000 } },
    });
    expect(
      (
        await post(`${gw.url}/v1/chat/completions`, chatBody(), {
          authorization: `Bearer ${key.secret}`,
        })
      ).status,
    ).toBe(200);
    await gw.flushAudit();
    const budgets = (await admin(gw, 'GET', '/admin/budgets')).body as {
      data: {
        budget: string;
        spentMicroUsd: number;
        limitMicroUsd: number;
        reservedMicroUsd: number;
      }[];
    };
    const mine = budgets.data.find((b) => b.budget === `key:${key.id}:daily`);
    expect(mine).toMatchObject({ limitMicroUsd: 5_000_000, reservedMicroUsd: 0 });
    expect(mine?.spentMicroUsd).toBeGreaterThan(0);
    const usage = (await admin(gw, 'GET', '/admin/usage')).body as {
      totalMicroUsd: number;
      data: { keyId: string; costMicroUsd: number }[];
    };
    expect(usage.data.find((r) => r.keyId === key.id)?.costMicroUsd).toBe(mine?.spentMicroUsd);
    expect(((await admin(gw, 'GET', '/admin/alerts')).body as { data: unknown[] }).data).toEqual(
      [],
    );
  });
});

describe('admin API without a token', () => {
  it('is disabled, also when the token is too short', async () => {
    for (const env of [{}, { BASTION_ADMIN_TOKEN: 'short' }]) {
      const gw = await startTestGateway({ env });
      try {
        const res = await admin(gw, 'GET', '/admin/keys', undefined, 'short');
        expect([res.status, res.body]).toMatchObject([403, { error: { code: 'admin_disabled' } }]);
      } finally {
        await gw.close();
      }
    }
  });
});
