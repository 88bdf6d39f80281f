import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditSummary } from '../../src/server/admin/audit-summary.js';
import type { KeyReview } from '../../src/policy/access-review.js';
import type { AuditRecord } from '../../src/store/types.js';
import { admin, ADMIN_TOKEN } from '../helpers/admin.js';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { createTestSchema, TEST_DATABASE_URL, type TestSchema } from '../helpers/postgres.js';

/**
 * The admin views behind the console (overview, audit search, chain verification, access
 * review) on both stores, over traffic sent through the gateway in the same test.
 */
describe.each(['sqlite', 'postgres'] as const)('console views on %s', (kind) => {
  let gw: TestGateway;
  let schema: TestSchema | undefined;
  let keyId: string;

  beforeAll(async () => {
    schema = kind === 'postgres' ? await createTestSchema('console') : undefined;
    gw = await startTestGateway({
      env: { BASTION_ADMIN_TOKEN: ADMIN_TOKEN, DATABASE_URL: TEST_DATABASE_URL },
      ...(schema === undefined
        ? {}
        : {
            stores: {
              kind: 'postgres',
              postgres: { url: 'env:DATABASE_URL', schema: schema.schema },
            },
          }),
    });
    const key = await gw.createKey({ name: 'views', env: 'prod' });
    keyId = key.id;
    const chat = (secret: string, model = 'gpt-4o-mini') =>
      post(
        `${gw.url}/v1/chat/completions`,
        { model, messages: [{ role: 'user', content: 'hi' }] },
        { authorization: `Bearer ${secret}` },
      );
    for (let i = 0; i < 3; i++) expect((await chat(key.secret)).status).toBe(200);
    expect((await chat(key.secret, 'no-such-model')).status).toBe(404);
  }, 30_000);
  afterAll(async () => {
    await gw?.close();
    await schema?.drop();
  });

  it('sums the traffic of the range, with refusals by code, top keys and top models', async () => {
    const { status, body } = await admin(gw, 'GET', '/admin/overview?range=1h');
    expect(status).toBe(200);
    const s = body as AuditSummary;
    expect(s.totals).toMatchObject({ requests: 4, errors: 1, errorRatePct: 25 });
    expect(s.totals.latencyP50Ms).toBeGreaterThan(0);
    expect(s.series.reduce((n, b) => n + b.requests, 0)).toBe(4);
    // A minute per bucket, aligned on the minute: 60 whole ones and the current one.
    expect(s.series.length).toBeGreaterThanOrEqual(60);
    expect(s.series.length).toBeLessThanOrEqual(61);
    expect(s.refusals).toEqual([{ code: 'model_not_found', status: 404, requests: 1 }]);
    expect(s.top.keys.map((k) => k.requests)).toEqual([4]);
    // A model the gateway does not route is not recorded as one.
    expect(s.top.models.map((m) => [m.name, m.requests])).toEqual([['gpt-4o-mini', 3]]);
    expect((await admin(gw, 'GET', '/admin/overview?range=7y')).status).toBe(400);
  });

  it('searches the audit log by code, key and status', async () => {
    const byCode = (await admin(gw, 'GET', '/admin/audit?code=model_not_found')).body as {
      data: AuditRecord[];
    };
    expect(byCode.data.map((r) => r.status)).toEqual([404]);
    const byKey = (await admin(gw, 'GET', `/admin/audit?keyId=${keyId}&status=200&limit=2`))
      .body as { data: AuditRecord[] };
    expect(byKey.data).toHaveLength(2);
    const bad = await admin(gw, 'GET', '/admin/audit?code=DROP%20TABLE');
    expect(bad.status).toBe(400);
  });

  it('verifies the audit chains', async () => {
    const { body } = await admin(gw, 'GET', '/admin/audit/verify');
    expect(body).toMatchObject({ isIntact: true });
  });

  it('reviews the keys: a fresh prod key without expiry, IP range or model scope', async () => {
    const { body } = await admin(gw, 'GET', '/admin/access-review');
    const [review] = (body as { data: KeyReview[] }).data;
    expect(review).toMatchObject({
      id: keyId,
      state: 'active',
      findings: ['no_expiry', 'all_models', 'no_ip_range_in_prod'],
    });
    expect(review?.lastUsedMs).toBeGreaterThan(Date.now() - 60_000);
  });
});
