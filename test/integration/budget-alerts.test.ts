import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/alerts/sign.js';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { chatBody } from '../helpers/policy.js';

const SECRET = 'whsec-test-4f1c9b2e7d';
const reply = 'x'.repeat(40); // 10 completion tokens at 1 µ$ each: 10 µ$ a request

interface Delivery {
  body: string;
  signature: string;
  eventId: string;
  answered: number;
}

describe('budget alerts', () => {
  let hook: Server;
  let hookUrl: string;
  const deliveries: Delivery[] = [];
  let failNext = 1;
  let gw: TestGateway;

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const answered = failNext-- > 0 ? 500 : 204;
        deliveries.push({
          body,
          signature: String(req.headers['x-bastion-signature']),
          eventId: String(req.headers['x-bastion-event-id']),
          answered,
        });
        res.writeHead(answered).end();
      });
    });
    hook.listen(0, '127.0.0.1');
    await once(hook, 'listening');
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/bastion`;
    gw = await startTestGateway({
      config: {
        pricing: { models: { 'gpt-4o-mini': { inputUsdPerMTok: 0, outputUsdPerMTok: 1 } } },
        alerts: { webhookUrl: hookUrl, webhookSecret: 'env:ALERT_SECRET', backoffBaseMs: 20 },
      },
      env: { ALERT_SECRET: SECRET },
    });
  });
  afterAll(async () => {
    await gw.close();
    hook.closeAllConnections();
    await new Promise((resolve) => hook.close(resolve));
  });

  it('sends exactly one signed 50 %, 80 % and 100 % alert for a budget crossed in one window', async () => {
    const key = await gw.createKey({
      env: 'prod',
      scopes: { limits: { monthlyBudgetMicroUsd: 100 } },
    });
    gw.mock.enqueueFault(...Array.from({ length: 12 }, () => ({ reply })));
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await post(`${gw.url}/v1/chat/completions`, chatBody({ max_tokens: 10 }), {
        authorization: `Bearer ${key.secret}`,
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array<number>(10).fill(200), 429, 429]);
    // Settlement runs after the last byte: wait on the deliveries, not on time.
    await expect.poll(() => deliveries.filter((d) => d.answered === 204).length).toBe(3);
    await gw.app.policy.alerts.idle();

    const accepted = deliveries.filter((d) => d.answered === 204);
    const events = accepted.map(
      (d) => JSON.parse(d.body) as { thresholdPct: number; budget: string },
    );
    expect(events.map((e) => e.thresholdPct).sort((a, b) => a - b)).toEqual([50, 80, 100]);
    expect(new Set(events.map((e) => e.budget))).toEqual(new Set([`key:${key.id}:monthly`]));
    const nowSec = Math.floor(Date.now() / 1000);
    for (const d of deliveries)
      expect(verifySignature(SECRET, d.body, d.signature, nowSec)).toBe(true);
    expect(
      verifySignature(
        'wrong-secret',
        accepted[0]?.body ?? '',
        accepted[0]?.signature ?? '',
        nowSec,
      ),
    ).toBe(false);
    // The first delivery was answered 500 and retried under the same event id.
    expect(deliveries[0]?.answered).toBe(500);
    expect(deliveries.filter((d) => d.eventId === deliveries[0]?.eventId)).toHaveLength(2);

    const listed = await gw.app.store.listAlerts({});
    expect(listed.map((a) => a.thresholdPct).sort((a, b) => a - b)).toEqual([50, 80, 100]);
    expect(listed.every((a) => a.limitMicroUsd === 100)).toBe(true);
    expect(gw.logs.filter((l) => l.includes('"event":"budget_alert"'))).toHaveLength(3);
    expect(gw.logs.join('')).not.toContain(SECRET);
  });
});
