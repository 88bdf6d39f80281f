import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * A Responses API stream numbers its events (`sequence_number`) and clients may rely on the
 * numbers to order and de-duplicate events. The output guard drops deltas whose text it holds
 * back and adds deltas when it releases held text: the numbers the client sees must still be
 * strictly increasing by one, passthrough or translated from another provider.
 */

type Json = Record<string, unknown>;

function events(sse: string): Json[] {
  return sse
    .split('\n')
    .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
    .map((l) => JSON.parse(l.slice(6)) as Json);
}

function fakeProjectKey(): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const part = (n: number) => [...randomBytes(n)].map((b) => abc[b % abc.length]).join('');
  return `sk-proj-${part(48)}T3BlbkFJ${part(48)}`;
}

describe('Responses streams: sequence numbers through the output guard', () => {
  let gw: TestGateway;
  let auth: Record<string, string>;

  beforeAll(async () => {
    gw = await startTestGateway({ config: { guard: { output: { holdBackChars: 128 } } } });
    auth = { authorization: `Bearer ${(await gw.createKey()).secret}` };
  });
  beforeEach(() => gw.mock.reset());
  afterAll(() => gw.close());

  it.each(['gpt-4o-mini', 'claude-haiku-4-5'])(
    '%s: numbers stay contiguous while deltas are held, dropped, released and redacted',
    async (model) => {
      const key = fakeProjectKey();
      // Two-character chunks: most deltas are held (dropped), a key spans ~60 of them.
      gw.mock.enqueueFault({
        reply: `Mail <EMAIL_1> now; the key ${key} is old. Bye <EMAIL_1>`,
        chunkSize: 2,
      });
      const res = await post(
        `${gw.url}/v1/responses`,
        { model, stream: true, input: 'write to anna@example.com' },
        auth,
      );
      expect(res.status).toBe(200);
      const list = events(await res.text());
      const text = list
        .filter((e) => e.type === 'response.output_text.delta')
        .map((e) => e.delta as string)
        .join('');
      expect(text).toMatch(
        /^Mail anna@example\.com now; the key \[REDACTED:[a-z-]+\] is old\. Bye anna@example\.com$/,
      );
      const numbers = list.map((e) => e.sequence_number);
      expect(numbers.every((n) => typeof n === 'number')).toBe(true);
      const first = numbers[0] as number;
      expect(numbers).toEqual(numbers.map((_, i) => first + i));
      expect(list.at(-1)?.type).toBe('response.completed');
    },
  );
});
