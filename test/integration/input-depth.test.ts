import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/pipeline/guard/json-depth.js';
import {
  CANARY_ANTHROPIC_KEY,
  CANARY_OPENAI_KEY,
  post,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';

/**
 * Issue 9, finding 6: ~4,200-deep arrays in `tools` (8.5 KB), or in any field when a PII rewrite
 * or max_tokens clamp re-serialised the body, and an Anthropic tool_result nested 20,000 deep,
 * gave 500 internal_error with a stack trace. Nesting is now bounded at parse time.
 */
// Built as text: JSON.stringify itself overflows the stack on these (as the gateway did).
const MARK = '"__deep__"';
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const toolResult = (depth: number): string =>
  '[{"type":"tool_result","tool_use_id":"t","content":'.repeat(depth) +
  '"leaf"' +
  '}]'.repeat(depth);

/** `shape` as JSON with the marker string replaced by `deep`. */
const withDeep = (shape: unknown, deep: string): string =>
  JSON.stringify(shape).replace(MARK, deep);
const DEEP = '__deep__';

const email = 'Reach me at jane.doe@example.com please';

/** Every endpoint, each with deep nesting where a stage walks or re-serialises the body. */
function deepRequests(depth: number): [string, string][] {
  const arrays = nested(depth);
  return [
    [
      '/v1/chat/completions',
      withDeep(
        {
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: email }],
          tools: [{ type: 'function', function: { name: 'f', parameters: DEEP } }],
        },
        arrays,
      ),
    ],
    [
      '/v1/chat/completions',
      withDeep(
        {
          model: 'gpt-4o-mini',
          max_tokens: 100_000,
          messages: [{ role: 'user', content: [{ type: 'text', text: email, x: DEEP }] }],
        },
        arrays,
      ),
    ],
    [
      '/v1/responses',
      withDeep({ model: 'gpt-4o-mini', input: [{ role: 'user', content: DEEP }] }, arrays),
    ],
    [
      '/v1/embeddings',
      withDeep({ model: 'text-embedding-3-small', input: ['hi'], extra: DEEP }, arrays),
    ],
    [
      '/v1/messages',
      withDeep(
        {
          model: 'claude-haiku-4-5',
          max_tokens: 20,
          messages: [{ role: 'user', content: DEEP }],
        },
        toolResult(Math.ceil(depth / 2)),
      ),
    ],
  ];
}

describe('JSON nesting', () => {
  let gw: TestGateway;
  let secret: string;
  beforeAll(async () => {
    gw = await startTestGateway();
    // A ceiling of 10 makes authorize clamp and re-serialise every chat body.
    secret = (await gw.createKey({ scopes: { maxTokens: 10 } })).secret;
  });
  afterAll(() => gw.close());

  it.each([MAX_JSON_DEPTH + 1, 4_200, 20_000])(
    'refuses %i-deep bodies on every endpoint with 400 json_too_deep, never 500',
    async (depth) => {
      gw.mock.reset();
      for (const [path, body] of deepRequests(depth)) {
        const res = await post(`${gw.url}${path}`, body, { 'x-api-key': secret });
        const text = await res.text();
        expect([path, res.status, res.headers.get('x-bastion-error-code')]).toEqual([
          path,
          400,
          'json_too_deep',
        ]);
        expect(text).not.toContain(CANARY_OPENAI_KEY);
        expect(text).toContain('json_too_deep');
      }
      expect(gw.mock.received).toHaveLength(0);
      const errors = gw.logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
      expect(errors).toEqual([]);
    },
  );

  it('serves bodies just under the limit through the PII rewrite and the clamp', async () => {
    gw.mock.reset();
    const statuses: [string, number][] = [];
    for (const [path, body] of deepRequests(MAX_JSON_DEPTH - 6)) {
      const res = await post(`${gw.url}${path}`, body, { 'x-api-key': secret });
      statuses.push([path, res.status]);
    }
    expect(statuses.every(([, status]) => status === 200)).toBe(true);
    const sent = JSON.stringify(gw.mock.received.map((r) => r.body));
    expect(sent).not.toContain('jane.doe@example.com');
    for (const line of gw.logs) {
      expect(line).not.toContain(CANARY_OPENAI_KEY);
      expect(line).not.toContain(CANARY_ANTHROPIC_KEY);
    }
  });
});
