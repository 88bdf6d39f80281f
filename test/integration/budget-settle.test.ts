import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetWindow } from '../../src/policy/windows.js';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { chatBody } from '../helpers/policy.js';

/** Input $1 and output $2 per million tokens: 1 µ$ per prompt token, 2 per completion token. */
const pricing = { models: { 'gpt-4o-mini': { inputUsdPerMTok: 1, outputUsdPerMTok: 2 } } };

describe('budget settlement', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ config: { pricing } });
  });
  afterAll(() => gw.close());

  async function totals(keyId: string) {
    const id = `b:key:${keyId}:${budgetWindow('monthly', Date.now()).id}`;
    return (await gw.app.policy.backend.totals([id]))[0];
  }
  const newKey = () =>
    gw.createKey({ env: 'prod', scopes: { limits: { monthlyBudgetMicroUsd: 1_000_000 } } });

  it('settles to the usage the provider reports and records the cost in the audit row', async () => {
    const key = await newKey();
    const res = await post(`${gw.url}/v1/chat/completions`, chatBody({ max_tokens: 500 }), {
      authorization: `Bearer ${key.secret}`,
    });
    const usage = (
      (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } }
    ).usage;
    const cost = usage.prompt_tokens * 1 + usage.completion_tokens * 2;
    await gw.flushAudit();
    expect(await totals(key.id)).toEqual({ spentMicroUsd: cost, reservedMicroUsd: 0 });
    const [row] = await gw.app.store.queryAudit({ keyId: key.id });
    expect(row?.costMicroUsd).toBe(cost);
  });

  it('settles streams from the usage event it asks for, even when the caller did not', async () => {
    const key = await newKey();
    const res = await post(
      `${gw.url}/v1/chat/completions`,
      chatBody({ stream: true, max_tokens: 500 }),
      {
        authorization: `Bearer ${key.secret}`,
      },
    );
    const text = await res.text();
    expect(text).not.toContain('"usage":{');
    await gw.flushAudit();
    const [row] = await gw.app.store.queryAudit({ keyId: key.id });
    expect(row?.costMicroUsd).toBe((row?.promptTokens ?? 0) + 2 * (row?.completionTokens ?? 0));
    expect((await totals(key.id))?.spentMicroUsd).toBe(row?.costMicroUsd);
  });

  it('refunds the whole reservation when the provider fails', async () => {
    const key = await newKey();
    gw.mock.enqueueFault({ status: 400 });
    const res = await post(`${gw.url}/v1/chat/completions`, chatBody({ max_tokens: 500 }), {
      authorization: `Bearer ${key.secret}`,
    });
    expect(res.status).toBe(400);
    await gw.flushAudit();
    expect(await totals(key.id)).toEqual({ spentMicroUsd: 0, reservedMicroUsd: 0 });
  });

  it('keeps the worst case when a stream breaks before its usage event', async () => {
    const key = await newKey();
    gw.mock.enqueueFault({ truncateAfterChunks: 1 });
    const res = await post(
      `${gw.url}/v1/chat/completions`,
      chatBody({ stream: true, max_tokens: 500 }),
      {
        authorization: `Bearer ${key.secret}`,
      },
    );
    await res.text();
    await gw.flushAudit();
    const [row] = await gw.app.store.queryAudit({ keyId: key.id });
    expect(row?.decisions).toContainEqual({
      stage: 'budget',
      action: 'charge_reserved',
      detail: 'usage_unknown',
    });
    const t = await totals(key.id);
    expect(t?.reservedMicroUsd).toBe(0);
    expect(t?.spentMicroUsd).toBeGreaterThanOrEqual(1_000); // 500 output tokens at 2 µ$, plus the prompt
  });

  it('restores this window’s spend from the audit log after a restart (in-process counters)', async () => {
    const key = await newKey();
    expect(
      (
        await post(`${gw.url}/v1/chat/completions`, chatBody(), {
          authorization: `Bearer ${key.secret}`,
        })
      ).status,
    ).toBe(200);
    await gw.flushAudit();
    const before = await totals(key.id);
    const again = await startTestGateway({
      config: { pricing },
      stores: { kind: 'sqlite', sqlite: { path: gw.dbPath } },
    });
    try {
      const id = `b:key:${key.id}:${budgetWindow('monthly', Date.now()).id}`;
      expect((await again.app.policy.backend.totals([id]))[0]?.spentMicroUsd).toBe(
        before?.spentMicroUsd,
      );
    } finally {
      await again.close();
    }
  });
});
