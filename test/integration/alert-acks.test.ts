import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, ADMIN_TOKEN } from '../helpers/admin.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const VIEWER_TOKEN = 'viewer-test-token-5d2a9e8c1b7f4a30'; // bastion:allow test canary
const alert = {
  budget: 'team:acks:daily',
  window: 'd20261206',
  thresholdPct: 80,
  spentMicroUsd: 80,
  limitMicroUsd: 100,
  atMs: 1_765_000_000_000,
};
const ALERT_ID = 'team:acks:daily/d20261206/80';

interface Listed {
  data: { id: string; thresholdPct: number; ack: { actor: string; atMs: number } | null }[];
}

/** Acknowledging alerts on the admin API: admins only, stored, audited, kept across a restart. */
describe('alert acknowledgement', () => {
  let gw: TestGateway;
  const options = (dbPath?: string) => ({
    env: { BASTION_ADMIN_TOKEN: ADMIN_TOKEN, VIEWER_TOKEN },
    config: {
      controlPlane: {
        port: 0,
        admin: { tokens: [{ label: 'auditor', role: 'viewer', token: 'env:VIEWER_TOKEN' }] },
      },
    },
    ...(dbPath === undefined ? {} : { stores: { kind: 'sqlite', sqlite: { path: dbPath } } }),
  });

  beforeAll(async () => {
    gw = await startTestGateway(options());
    await gw.app.store.recordAlert(alert);
    await gw.app.store.recordAlert({ ...alert, thresholdPct: 50 });
  });
  afterAll(() => gw?.close());

  const ack = (body: unknown, token = ADMIN_TOKEN) =>
    fetch(`${gw.controlUrl ?? ''}/admin/alerts/ack`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const errorCode = async (res: Response) =>
    ((await res.json()) as { error?: { code?: string } }).error?.code;

  it('lists budget alerts unacknowledged, each with its id', async () => {
    const listed = (await admin(gw, 'GET', '/admin/alerts')).body as Listed;
    expect(listed.data.map((a) => [a.id, a.ack])).toEqual([
      [ALERT_ID, null],
      ['team:acks:daily/d20261206/50', null],
    ]);
  });

  it('refuses a viewer, an unknown alert and an unknown kind', async () => {
    const viewer = await ack({ kind: 'budget', id: ALERT_ID }, VIEWER_TOKEN);
    expect([viewer.status, await errorCode(viewer)]).toEqual([403, 'admin_role_forbidden']);
    const missing = await ack({ kind: 'budget', id: 'team:acks:daily/d20261206/100' });
    expect([missing.status, await errorCode(missing)]).toEqual([404, 'alert_not_found']);
    const kind = await ack({ kind: 'weather', id: ALERT_ID });
    expect([kind.status, await errorCode(kind)]).toEqual([400, 'invalid_request']);
    const listed = (await admin(gw, 'GET', '/admin/alerts')).body as Listed;
    expect(listed.data.every((a) => a.ack === null)).toBe(true);
  });

  it('acknowledges once, audited under the token label, and keeps it across a restart', async () => {
    const first = await ack({ kind: 'budget', id: ALERT_ID });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ isNew: true, ack: { actor: 'env-admin' } });
    const again = await ack({ kind: 'budget', id: ALERT_ID });
    expect(await again.json()).toMatchObject({ isNew: false, ack: { actor: 'env-admin' } });
    const events = (await admin(gw, 'GET', '/admin/events')).body as {
      data: { action: string; actor: string; target: string }[];
    };
    expect(events.data.filter((e) => e.action === 'alert_acknowledged')).toEqual([
      expect.objectContaining({ actor: 'env-admin', target: `alert:budget:${ALERT_ID}` }),
    ]);

    await gw.close();
    gw = await startTestGateway(options(gw.dbPath));
    const listed = (await admin(gw, 'GET', '/admin/alerts')).body as Listed;
    expect(listed.data.map((a) => [a.thresholdPct, a.ack?.actor ?? null])).toEqual([
      [80, 'env-admin'],
      [50, null],
    ]);
  });
});

/** Anomaly alerts are acknowledged the same way: by kind `anomaly` and the id the API lists. */
describe('anomaly alert acknowledgement', () => {
  let gw: TestGateway;
  const anomaly = {
    kind: 'new_network' as const,
    subject: 'key_acks',
    window: '203.0.113.0/24',
    atMs: 1_765_000_000_000,
    keyId: 'key_acks',
    keyPrefix: 'bst_dev_acks',
    env: 'dev' as const,
    action: 'alert' as const,
    observed: 0,
    baseline: 0,
    threshold: 0,
    network: '203.0.113.0/24',
  };
  const ID = 'new_network|key_acks|203.0.113.0/24';

  beforeAll(async () => {
    gw = await startTestGateway({
      env: { BASTION_ADMIN_TOKEN: ADMIN_TOKEN },
      config: { controlPlane: { port: 0 } },
    });
    await gw.app.store.recordAnomalyAlert(anomaly);
  });
  afterAll(() => gw?.close());

  const listed = async () =>
    ((await admin(gw, 'GET', '/admin/anomalies')).body as { data: { id: string; ack: unknown }[] })
      .data;

  it('lists the alert with its id, acknowledges it, and refuses an id no alert has', async () => {
    expect((await listed()).map((a) => [a.id, a.ack])).toEqual([[ID, null]]);
    const missing = await admin(gw, 'POST', '/admin/alerts/ack', {
      kind: 'anomaly',
      id: 'new_network|key_acks|198.51.100.0/24',
    });
    expect(missing.status).toBe(404);
    const acked = await admin(gw, 'POST', '/admin/alerts/ack', { kind: 'anomaly', id: ID });
    expect(acked.status).toBe(200);
    expect((await listed())[0]?.ack).toMatchObject({ actor: 'env-admin/alice' });
  });
});
