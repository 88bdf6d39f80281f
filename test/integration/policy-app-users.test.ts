import { afterEach, describe, expect, it } from 'vitest';
import {
  CANARY_ANTHROPIC_KEY,
  CANARY_OPENAI_KEY,
  post,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';
import { chatBody, simulatedClock } from '../helpers/policy.js';

// Issue 11: an app that sent OpenAI's `user` for attribution got the default `free` tier (5 a
// second, 30 an hour per end user) even on a prod key allowed 600 a minute, while Anthropic's
// `metadata.user_id` did not count at all. Now app-named users are limited per user only when
// the key has a tier or the config sets `policy.appUserTier`, and both APIs name users alike.
describe('end users an app names with its key', () => {
  let gw: TestGateway | undefined;
  afterEach(async () => {
    const logs = gw?.logs.join('') ?? '';
    await gw?.close();
    gw = undefined;
    for (const canary of [CANARY_OPENAI_KEY, CANARY_ANTHROPIC_KEY]) {
      expect(logs).not.toContain(canary);
    }
  });

  const start = async (policy: Record<string, unknown>) => {
    const clock = simulatedClock(Date.now());
    // The shipped environment defaults (prod: 600 a minute) and tiers (free: 5/s, 30/h).
    gw = await startTestGateway({
      config: { policy, audit: { userIdKey: 'env:TEST_USER_ID_KEY' } },
      env: { TEST_USER_ID_KEY: 'user-id-key-for-app-user-tests-0123456789abcdef' },
      appDeps: { clock },
    });
    return gw;
  };
  const openaiAs = (g: TestGateway, secret: string, user: string) =>
    post(`${g.url}/v1/chat/completions`, chatBody({ user }), {
      authorization: `Bearer ${secret}`,
    });
  const anthropicAs = (g: TestGateway, secret: string, user: string) =>
    post(
      `${g.url}/v1/messages`,
      {
        model: 'claude-haiku-4-5',
        max_tokens: 16,
        metadata: { user_id: user },
        messages: [{ role: 'user', content: 'hello' }],
      },
      { 'x-api-key': secret, 'anthropic-version': '2023-06-01' },
    );
  const statuses = async (requests: Promise<Response>[]) =>
    (await Promise.all(requests)).map((r) => r.status);

  it('does not limit a prod key sending `user` 100 times a minute by default', async () => {
    const g = await start({});
    const { secret } = await g.createKey({ env: 'prod' });
    const seen: number[] = [];
    for (let batch = 0; batch < 10; batch++) {
      seen.push(
        ...(await statuses(Array.from({ length: 10 }, () => openaiAs(g, secret, 'alice')))),
      );
    }
    expect(seen.filter((s) => s !== 200)).toEqual([]);
    expect(
      await statuses(Array.from({ length: 10 }, () => anthropicAs(g, secret, 'alice'))),
    ).toEqual(Array(10).fill(200));
    // Still attributed: the audit row names the end user, by pseudonym.
    await g.flushAudit();
    const [row] = await g.app.store.queryAudit({ limit: 1 });
    expect(row?.userId).toMatch(/^u_[0-9a-f]{32}$/);
  });

  it('with policy.appUserTier set, limits OpenAI `user` and Anthropic `metadata.user_id` alike', async () => {
    const g = await start({ appUserTier: 'free' });
    const { secret } = await g.createKey({ env: 'prod' });
    const viaOpenAi = await statuses(Array.from({ length: 7 }, () => openaiAs(g, secret, 'bob')));
    const viaAnthropic = await statuses(
      Array.from({ length: 7 }, () => anthropicAs(g, secret, 'carol')),
    );
    expect(viaOpenAi.filter((s) => s === 200)).toHaveLength(5);
    expect(viaAnthropic.filter((s) => s === 200)).toHaveLength(5);
    expect(viaAnthropic.filter((s) => s === 429)).toHaveLength(2);
    // The same user through the other API shares the one per-user window.
    expect((await anthropicAs(g, secret, 'bob')).status).toBe(429);
  });

  it('limits per user when the key itself has a tier', async () => {
    const g = await start({});
    const { secret } = await g.createKey({ env: 'prod', scopes: { tier: 'free' } });
    const viaAnthropic = await statuses(
      Array.from({ length: 7 }, () => anthropicAs(g, secret, 'dave')),
    );
    expect(viaAnthropic.filter((s) => s === 200)).toHaveLength(5);
  });
});
