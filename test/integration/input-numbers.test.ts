import { afterEach, describe, expect, it } from 'vitest';
import {
  CANARY_ANTHROPIC_KEY,
  CANARY_OPENAI_KEY,
  post,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';
import { chatBody, redisLimits } from '../helpers/policy.js';
import { dropRedisPrefix, REDIS_URL, uniqueRedisPrefix } from '../helpers/redis.js';

/**
 * Issue 9, findings 2 and 3: a negative max_tokens refilled the TPM window and zeroed the budget
 * reservation (one request spent 125x a $0.0001 cap); a string or a second output field slipped
 * past the key's ceiling to the provider. Every numeric bound is now refused before any stage
 * reads it, on either limits backend.
 */
const BAD_VALUES: readonly unknown[] = [-1, -1e9, -1e12, 0, 1.5, 1e12, '100000', null, { n: 1 }];

interface ErrorBody {
  error?: { code?: string; param?: string | null };
}

function expectNoLeak(gw: TestGateway, ...bodies: string[]) {
  for (const text of [...gw.logs, ...bodies]) {
    expect(text).not.toContain(CANARY_OPENAI_KEY);
    expect(text).not.toContain(CANARY_ANTHROPIC_KEY);
  }
}

describe.each(['memory', 'redis'] as const)('numeric request fields: %s limits', (backend) => {
  let gw: TestGateway | undefined;
  const prefix = uniqueRedisPrefix('input-numbers');
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
    await dropRedisPrefix(prefix);
  });

  async function start(): Promise<TestGateway> {
    gw = await startTestGateway({
      config: backend === 'redis' ? { limits: redisLimits(prefix) } : {},
      env: { REDIS_URL },
    });
    return gw;
  }

  it('refuses negative, fractional, huge, string, null and object bounds on every endpoint', async () => {
    const g = await start();
    const key = await g.createKey();
    const auth = { authorization: `Bearer ${key.secret}` };
    const cases: [string, Record<string, unknown>, string][] = [];
    for (const value of BAD_VALUES) {
      cases.push(['/v1/chat/completions', chatBody({ max_tokens: value }), 'max_tokens']);
      cases.push([
        '/v1/chat/completions',
        chatBody({ max_completion_tokens: value }),
        'max_completion_tokens',
      ]);
      cases.push(['/v1/chat/completions', chatBody({ n: value }), 'n']);
      cases.push([
        '/v1/responses',
        { model: 'gpt-4o-mini', input: 'hi', max_output_tokens: value },
        'max_output_tokens',
      ]);
      cases.push([
        '/v1/messages',
        {
          model: 'claude-haiku-4-5',
          max_tokens: value,
          messages: [{ role: 'user', content: 'hi' }],
        },
        'max_tokens',
      ]);
    }
    const bodies: string[] = [];
    for (const [path, body, field] of cases) {
      const res = await post(`${g.url}${path}`, body, auth);
      const text = await res.text();
      bodies.push(text);
      const parsed = JSON.parse(text) as ErrorBody;
      expect([path, field, res.status, res.headers.get('x-bastion-error-code')]).toEqual([
        path,
        field,
        400,
        'invalid_numeric_field',
      ]);
      if (path !== '/v1/messages') expect(parsed.error?.param).toBe(field);
    }
    expect(g.mock.received).toHaveLength(0);
    expectNoLeak(g, ...bodies);
  });

  it('a refused negative max_tokens does not refill the token window', async () => {
    const g = await start();
    const key = await g.createKey({ scopes: { limits: { tpm: 1_000 } } });
    const auth = { authorization: `Bearer ${key.secret}` };
    const send = (extra: Record<string, unknown>) =>
      post(`${g.url}/v1/chat/completions`, chatBody(extra), auth);
    expect((await send({ max_tokens: 900 })).status).toBe(200);
    const over = await send({ max_tokens: 900 });
    expect(over.status).toBe(429);
    const negative = await send({ max_tokens: -1e9 });
    expect([negative.status, negative.headers.get('x-bastion-error-code')]).toEqual([
      400,
      'invalid_numeric_field',
    ]);
    const after = await send({ max_tokens: 900 });
    expect([after.status, after.headers.get('x-bastion-error-code')]).toEqual([
      429,
      'rate_limit_exceeded',
    ]);
    expect(g.mock.received).toHaveLength(1);
  });

  it('a refused max_tokens of -1e12 reserves nothing and never reaches the provider', async () => {
    const g = await start();
    // $0.0001 a day: gpt-4o-mini's worst case at max_tokens 1,000 (600 µ$) does not fit.
    const key = await g.createKey({ scopes: { limits: { dailyBudgetMicroUsd: 100 } } });
    const auth = { authorization: `Bearer ${key.secret}` };
    const send = (extra: Record<string, unknown>) =>
      post(`${g.url}/v1/chat/completions`, chatBody(extra), auth);
    const results = await Promise.all(Array.from({ length: 5 }, () => send({ max_tokens: -1e12 })));
    expect(results.map((r) => r.headers.get('x-bastion-error-code'))).toEqual(
      Array(5).fill('invalid_numeric_field'),
    );
    expect(g.mock.received).toHaveLength(0);
    const fits = await send({ max_tokens: 10 });
    expect(fits.status).toBe(200);
    const big = await send({ max_tokens: 1_000 });
    expect(big.headers.get('x-bastion-error-code')).toBe('budget_exceeded');
  });

  it('applies the key ceiling to every output field: the largest is refused or clamped', async () => {
    const g = await start();
    const refuse = await g.createKey({ scopes: { maxTokens: 100, maxTokensMode: 'refuse' } });
    const clamp = await g.createKey({ scopes: { maxTokens: 100 } });
    const both = chatBody({ max_tokens: 100_000, max_completion_tokens: 50 });
    const refused = await post(`${g.url}/v1/chat/completions`, both, {
      authorization: `Bearer ${refuse.secret}`,
    });
    expect([refused.status, refused.headers.get('x-bastion-error-code')]).toEqual([
      403,
      'max_tokens_exceeded',
    ]);
    expect(g.mock.received).toHaveLength(0);
    const clamped = await post(`${g.url}/v1/chat/completions`, both, {
      authorization: `Bearer ${clamp.secret}`,
    });
    expect(clamped.status).toBe(200);
    expect(g.mock.received[0]?.body).toMatchObject({ max_tokens: 100, max_completion_tokens: 50 });
  });
});
