import Database from 'better-sqlite3';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/alerts/sign.js';
import { issueVirtualKey } from '../../src/pipeline/auth/virtual-key.js';
import type { AnomalyAlert } from '../../src/store/types.js';
import { admin, ADMIN_TOKEN } from '../helpers/admin.js';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { chatBody, createSharedKey, simulatedClock } from '../helpers/policy.js';
import { TEST_DATABASE_URL, useTestSchemas } from '../helpers/postgres.js';

/**
 * Anomaly detection through a real gateway: synthetic traffic on a simulated clock (one bucket a
 * minute), the mock provider's replies sized to set each request's cost (1 µ$ per output token),
 * counts merged with the store by explicit flushes instead of the timer.
 */
const SECRET = 'whsec-anomaly-test-7d2c9e41'; // bastion:allow test canary
const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const MINUTE = 60_000;
const NORMAL = 'x'.repeat(40); // 10 output tokens: 10 µ$
const SPIKE = 'x'.repeat(800); // 200 output tokens: 20 times the usual spend

interface Delivery {
  body: string;
  signature: string;
}

function anomalyConfig(hookUrl: string, spendAction: 'alert' | 'suspend') {
  return {
    server: { port: 0, host: '127.0.0.1', trustProxyHops: 1 },
    pricing: { models: { 'gpt-4o-mini': { inputUsdPerMTok: 0, outputUsdPerMTok: 1 } } },
    alerts: { webhookUrl: hookUrl, webhookSecret: 'env:ALERT_SECRET', backoffBaseMs: 20 },
    anomalies: {
      // Flushed by the tests, not by the timer.
      flushIntervalMs: 60_000,
      spendSpike: { action: spendAction, floor: 50, minSamples: 5 },
    },
  };
}

describe('anomaly detection', () => {
  const schemas = useTestSchemas();
  let hook: Server;
  let hookUrl: string;
  const deliveries: Delivery[] = [];
  const gateways: TestGateway[] = [];

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        deliveries.push({ body, signature: String(req.headers['x-bastion-signature']) });
        res.writeHead(204).end();
      });
    });
    hook.listen(0, '127.0.0.1');
    await once(hook, 'listening');
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks`;
  });
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((gw) => gw.close()));
    deliveries.splice(0);
  });
  afterAll(async () => {
    hook.closeAllConnections();
    await new Promise((resolve) => hook.close(resolve));
  });

  async function start(
    clock: ReturnType<typeof simulatedClock>,
    opts: { spendAction?: 'alert' | 'suspend'; dbPath?: string; pgSchema?: string } = {},
  ): Promise<TestGateway> {
    const stores =
      opts.pgSchema !== undefined
        ? { kind: 'postgres', postgres: { url: 'env:DATABASE_URL', schema: opts.pgSchema } }
        : opts.dbPath !== undefined
          ? { kind: 'sqlite', sqlite: { path: opts.dbPath } }
          : undefined;
    const gw = await startTestGateway({
      config: anomalyConfig(hookUrl, opts.spendAction ?? 'alert'),
      env: {
        ALERT_SECRET: SECRET,
        BASTION_ADMIN_TOKEN: ADMIN_TOKEN,
        DATABASE_URL: TEST_DATABASE_URL,
      },
      appDeps: { clock },
      ...(stores === undefined ? {} : { stores }),
    });
    gateways.push(gw);
    return gw;
  }

  /** A chat request; `reply: null` for one the gateway refuses (it never reaches the mock). */
  function chat(
    gw: TestGateway,
    secret: string,
    reply: string | null = NORMAL,
    ip = '198.51.100.7',
  ) {
    if (reply !== null) gw.mock.enqueueFault({ reply });
    return post(`${gw.url}/v1/chat/completions`, chatBody({ max_tokens: 300 }), {
      authorization: `Bearer ${secret}`,
      'x-forwarded-for': ip,
    });
  }

  /** Waits until the gateway has audited `n` requests (the detector counts them first). */
  async function settled(gw: TestGateway, n: number): Promise<void> {
    await expect
      .poll(async () => {
        await gw.flushAudit();
        return (await gw.app.store.queryAudit({ limit: 10_000 })).length;
      })
      .toBeGreaterThanOrEqual(n);
  }

  async function alertsOf(gw: TestGateway): Promise<AnomalyAlert[]> {
    await gw.app.anomalies?.idle();
    return gw.app.store.listAnomalyAlerts({});
  }

  /** `buckets` minutes of usual traffic on each key, each minute merged with the store. */
  async function baseline(
    gw: TestGateway,
    clock: ReturnType<typeof simulatedClock>,
    secrets: string[],
    buckets: number,
    sent: { n: number },
  ) {
    for (let b = 0; b < buckets; b++) {
      for (const secret of secrets) expect((await chat(gw, secret)).status).toBe(200);
      sent.n += secrets.length;
      await settled(gw, sent.n);
      await gw.app.anomalies?.flush();
      clock.advance(MINUTE);
    }
  }

  it('a 20x spend spike raises one alert and suspends that key; others continue; release is audited', async () => {
    const clock = simulatedClock(T0 + 1_000);
    const gw = await start(clock, { spendAction: 'suspend' });
    const spiky = await gw.createKey({ env: 'prod', name: 'spiky' });
    const calm = await gw.createKey({ env: 'prod', name: 'calm' });
    const sent = { n: 0 };
    await baseline(gw, clock, [spiky.secret, calm.secret], 7, sent);
    expect(await alertsOf(gw)).toEqual([]);

    expect((await chat(gw, spiky.secret, SPIKE)).status).toBe(200);
    await expect.poll(() => deliveries.length).toBe(1);
    await gw.app.anomalies?.idle();

    const refused = await chat(gw, spiky.secret, null);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'kill_switch_active',
    );
    expect((await chat(gw, calm.secret)).status).toBe(200);

    const alerts = await alertsOf(gw);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'spend_spike',
      keyId: spiky.id,
      keyPrefix: spiky.prefix,
      env: 'prod',
      action: 'suspend',
      observed: 200,
      baseline: 10,
      threshold: 50,
    });
    const [delivery] = deliveries;
    expect(
      verifySignature(SECRET, delivery?.body ?? '', delivery?.signature ?? '', T0 / 1000 + 500),
    ).toBe(true);
    expect(JSON.parse(delivery?.body ?? '{}')).toMatchObject({
      type: 'anomaly_alert',
      kind: 'spend_spike',
      keyId: spiky.id,
      action: 'suspend',
    });
    const events = (await gw.app.store.listAdminEvents({})).filter(
      (e) => e.target === `key:${spiky.id}`,
    );
    expect(events.map((e) => [e.actor, e.action])).toEqual([
      ['anomaly-detector', 'kill_switch_set'],
    ]);

    // The operator releases the key (audited); it works again and the spike does not re-alert.
    const released = await admin(gw, 'DELETE', `/admin/killswitch/key/${spiky.id}`);
    expect(released).toMatchObject({ status: 200, body: { cleared: true } });
    expect((await chat(gw, spiky.secret, SPIKE)).status).toBe(200);
    await settled(gw, sent.n + 4);
    expect(await alertsOf(gw)).toHaveLength(1);
    const after = await gw.app.store.listAdminEvents({});
    expect(after.find((e) => e.action === 'kill_switch_cleared')).toMatchObject({
      actor: 'env-admin/alice',
      target: `key:${spiky.id}`,
    });
    const listed = await admin(gw, 'GET', '/admin/anomalies');
    expect((listed.body as { data: AnomalyAlert[] }).data.map((a) => a.kind)).toEqual([
      'spend_spike',
    ]);
    // Metadata only: the alert, its log line and the webhook carry no key secret.
    const everything = [gw.logs.join(''), ...deliveries.map((d) => d.body), JSON.stringify(alerts)];
    for (const text of everything) {
      expect(text).not.toContain(spiky.secret);
      expect(text).not.toContain(SECRET);
    }
    expect(gw.logs.filter((l) => l.includes('"event":"anomaly_alert"'))).toHaveLength(1);
  }, 60_000);

  it('with action alert the spiking key keeps working', async () => {
    const clock = simulatedClock(T0 + 1_000);
    const gw = await start(clock);
    const key = await gw.createKey({ env: 'prod' });
    await baseline(gw, clock, [key.secret], 6, { n: 0 });
    expect((await chat(gw, key.secret, SPIKE)).status).toBe(200);
    await settled(gw, 7);
    expect((await chat(gw, key.secret)).status).toBe(200);
    const alerts = await alertsOf(gw);
    expect(alerts.map((a) => [a.kind, a.action])).toEqual([['spend_spike', 'alert']]);
  }, 60_000);

  it('a new source network alerts once, across two replicas on one store; its first is learned', async () => {
    const clock = simulatedClock(T0 + 1_000);
    const a = await start(clock);
    const b = await start(clock, { dbPath: a.dbPath });
    const key = await a.createKey({ env: 'prod' });
    const send = async (gw: TestGateway, ip: string, n: number) => {
      expect((await chat(gw, key.secret, NORMAL, ip)).status).toBe(200);
      await settled(a, n);
      await gw.app.anomalies?.idle();
    };
    await send(a, '198.51.100.7', 1); // the key's home network: learned
    await send(b, '198.51.100.9', 2); // same /24, other replica
    expect(await alertsOf(a)).toEqual([]);
    await send(b, '203.0.113.5', 3); // a new network
    await send(a, '203.0.113.6', 4); // the same one, seen first by the other replica
    await send(b, '203.0.113.200', 5);
    const alerts = await alertsOf(a);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'new_network',
      keyId: key.id,
      network: '203.0.113.0/24',
      action: 'alert',
    });
    expect(deliveries).toHaveLength(1);
    // The alert names the network, never the caller's full address.
    expect(deliveries[0]?.body).not.toContain('203.0.113.5');
  }, 60_000);

  it('50 bad keys from one address alert once; a revoked key tried from many alerts by prefix', async () => {
    const clock = simulatedClock(T0 + 1_000);
    const gw = await start(clock);
    const statuses = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const forged = issueVirtualKey({ name: 'forged', env: 'prod', nowMs: T0 }).secret;
      statuses.add((await chat(gw, forged, null, '192.0.2.50')).status);
    }
    expect([...statuses]).toEqual([401]);
    await settled(gw, 50);
    let alerts = await alertsOf(gw);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'auth_probing',
      subject: 'ip:192.0.2.50',
      keyId: null,
      observed: 20,
      threshold: 20,
    });

    const leaked = await gw.createKey({ env: 'prod' });
    expect((await admin(gw, 'POST', `/admin/keys/${leaked.id}/revoke`)).status).toBe(200);
    for (let i = 0; i < 25; i++) {
      const res = await chat(gw, leaked.secret, null, `203.0.113.${i + 1}`);
      expect(res.status).toBe(401);
    }
    await settled(gw, 75);
    alerts = await alertsOf(gw);
    expect(alerts.map((a) => a.subject).sort()).toEqual([
      'ip:192.0.2.50',
      `prefix:${leaked.prefix}`,
    ]);
    expect(JSON.stringify(alerts)).not.toContain(leaked.secret);
  }, 60_000);

  it('replicas add to one baseline in the store, and a restart keeps it', async () => {
    const clock = simulatedClock(T0 + 1_000);
    const a = await start(clock);
    const b = await start(clock, { dbPath: a.dbPath });
    const key = await a.createKey({ env: 'prod' });
    // Each minute one request on each replica: the key's spend is 20 µ$ a minute in all.
    let n = 0;
    for (let m = 0; m < 7; m++) {
      for (const gw of [a, b]) expect((await chat(gw, key.secret)).status).toBe(200);
      n += 2;
      await settled(a, n);
      await Promise.all([a.app.anomalies?.flush(), b.app.anomalies?.flush()]);
      clock.advance(MINUTE);
    }
    // The store holds one baseline of both replicas' traffic: 20 µ$ a minute, not 10.
    const db = new Database(a.dbPath, { readonly: true });
    const row = db
      .prepare("SELECT mean, samples FROM anomaly_counters WHERE subject = ? AND metric = 'spend'")
      .get(key.id) as { mean: number; samples: number };
    db.close();
    expect(row).toEqual({ mean: 20, samples: 6 });
    expect(await alertsOf(a)).toEqual([]);
    await b.close();
    gateways.splice(gateways.indexOf(b), 1);
    await a.close();
    gateways.splice(gateways.indexOf(a), 1);

    // A new process on the same file detects at once: the baseline survived the restart.
    clock.advance(MINUTE);
    const c = await start(clock, { dbPath: a.dbPath });
    await c.app.anomalies?.flush();
    expect((await chat(c, key.secret)).status).toBe(200);
    await settled(c, n + 1);
    await c.app.anomalies?.flush();
    expect((await chat(c, key.secret, SPIKE)).status).toBe(200);
    await settled(c, n + 2);
    const alerts = await alertsOf(c);
    expect(alerts.map((x) => [x.kind, x.keyId])).toEqual([['spend_spike', key.id]]);
    expect(alerts[0]?.baseline).toBeGreaterThan(15);
  }, 60_000);

  it('two replicas on one Postgres schema see a spike split between them', async () => {
    const clock = simulatedClock(T0 + 1_000);
    const { schema } = await schemas.create('anomaly');
    const a = await start(clock, { pgSchema: schema, spendAction: 'suspend' });
    const b = await start(clock, { pgSchema: schema, spendAction: 'suspend' });
    const key = await createSharedKey([a]);
    const both = async () => {
      await Promise.all([a.app.anomalies?.flush(), b.app.anomalies?.flush()]);
    };
    // Seven minutes of 10 µ$ on each replica: one baseline of 20 µ$ a minute, threshold 60.
    let n = 0;
    for (let m = 0; m < 7; m++) {
      for (const gw of [a, b]) expect((await chat(gw, key.secret)).status).toBe(200);
      await settled(a, (n += 2));
      await both();
      clock.advance(MINUTE);
    }
    // 40 µ$ on each replica: neither alone reaches 60, together they do.
    const forty = 'x'.repeat(160);
    expect((await chat(a, key.secret, forty)).status).toBe(200);
    await settled(a, (n += 1));
    await a.app.anomalies?.flush();
    expect((await chat(b, key.secret, forty)).status).toBe(200);
    await settled(a, (n += 1));
    expect(await alertsOf(a)).toEqual([]);
    await b.app.anomalies?.flush();
    expect((await chat(b, key.secret)).status).toBe(200);
    await expect.poll(() => deliveries.length).toBe(1);
    await b.app.anomalies?.idle();
    const alerts = await alertsOf(a);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'spend_spike',
      keyId: key.id,
      action: 'suspend',
      observed: 90,
      baseline: 20,
      threshold: 60,
    });
    // Suspended on b at once, and on a after its next kill-switch poll.
    expect((await chat(b, key.secret, null)).status).toBe(503);
    await a.app.policy.killSwitch.refresh();
    expect((await chat(a, key.secret, null)).status).toBe(503);
  }, 60_000);
});
