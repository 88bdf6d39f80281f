import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * A placeholder the gateway put in the prompt comes back in the reply split across SSE chunks
 * at any offset: the caller must still get the original value, never the placeholder, however
 * long the placeholder is (custom PII types make stems up to 32 characters: 36-character
 * placeholders, longer than the 32 characters the tail scanner once assumed).
 */

type Json = Record<string, unknown>;

const STEM = 'customer_account_reference_no_xy';
const VALUE = 'ACCT-778899';
const TOKEN = `<${STEM.toUpperCase()}_1>`;

function events(sse: string): Json[] {
  return sse
    .split('\n')
    .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
    .map((l) => JSON.parse(l.slice(6)) as Json);
}

function streamedText(dialect: 'chat' | 'responses' | 'messages', sse: string): string {
  let text = '';
  for (const e of events(sse)) {
    if (dialect === 'chat') {
      const choices = e.choices as { delta?: { content?: string } }[] | undefined;
      text += choices?.[0]?.delta?.content ?? '';
    } else if (dialect === 'responses' && e.type === 'response.output_text.delta') {
      text += e.delta as string;
    } else if (dialect === 'messages' && e.type === 'content_block_delta') {
      text += (e.delta as { text?: string }).text ?? '';
    }
  }
  return text;
}

const ROUTES = [
  { name: 'chat → openai', dialect: 'chat', model: 'gpt-4o-mini' },
  { name: 'chat → anthropic', dialect: 'chat', model: 'claude-haiku-4-5' },
  { name: 'responses → openai', dialect: 'responses', model: 'gpt-4o-mini' },
  { name: 'messages → anthropic', dialect: 'messages', model: 'claude-haiku-4-5' },
  { name: 'messages → openai', dialect: 'messages', model: 'gpt-4o-mini' },
] as const;

function request(dialect: 'chat' | 'responses' | 'messages', model: string, content: string) {
  if (dialect === 'chat')
    return {
      path: '/v1/chat/completions',
      body: { model, stream: true, messages: [{ role: 'user', content }] },
    };
  if (dialect === 'responses')
    return { path: '/v1/responses', body: { model, stream: true, input: content } };
  return {
    path: '/v1/messages',
    body: { model, stream: true, max_tokens: 100, messages: [{ role: 'user', content }] },
  };
}

describe('guard: placeholders split across stream chunks', () => {
  let gw: TestGateway;
  let auth: Record<string, string>;

  beforeAll(async () => {
    gw = await startTestGateway({
      config: {
        guard: {
          pii: { custom: [{ name: STEM, pattern: 'ACCT-[0-9]{6}', action: 'pseudonymise' }] },
          output: { holdBackChars: 128 },
        },
      },
    });
    auth = { authorization: `Bearer ${(await gw.createKey()).secret}` };
  });
  beforeEach(() => gw.mock.reset());
  afterAll(() => gw.close());

  it.each(ROUTES)(
    '$name: the original comes back whatever offset the chunk boundary falls at',
    async ({ dialect, model }) => {
      expect(TOKEN.length).toBeGreaterThan(32);
      const C = TOKEN.length;
      const failures: string[] = [];
      for (let offset = 1; offset < C; offset++) {
        // The reply's chunk boundaries (every C characters) fall `offset` characters into TOKEN.
        const prefix = `${'w'.repeat(C - offset - 1)} `;
        gw.mock.enqueueFault({ reply: `${prefix}${TOKEN} is yours.`, chunkSize: C });
        const req = request(dialect, model, `my account is ${VALUE}`);
        const res = await post(`${gw.url}${req.path}`, req.body, auth);
        expect(res.status).toBe(200);
        const raw = await res.text();
        const text = streamedText(dialect, raw);
        if (text !== `${prefix}${VALUE} is yours.` || raw.includes(STEM.toUpperCase()))
          failures.push(`offset ${offset}: ${JSON.stringify(text)}`);
      }
      // The provider saw the placeholder, never the value.
      const sent = JSON.stringify(gw.mock.received.at(-1)?.body);
      expect(sent).toContain(TOKEN);
      expect(sent).not.toContain(VALUE);
      expect(failures).toEqual([]);
    },
  );

  it('a placeholder streamed one character a chunk is restored on every route', async () => {
    for (const { dialect, model } of ROUTES) {
      gw.mock.enqueueFault({ reply: `ok ${TOKEN}${TOKEN}, done`, chunkSize: 1 });
      const req = request(dialect, model, `acct ${VALUE}`);
      const raw = await (await post(`${gw.url}${req.path}`, req.body, auth)).text();
      expect(streamedText(dialect, raw)).toBe(`ok ${VALUE}${VALUE}, done`);
    }
  });
});
