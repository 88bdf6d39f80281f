import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MockFault } from '../../src/providers/mock/server.js';
import {
  CANARY_ANTHROPIC_KEY,
  CANARY_OPENAI_KEY,
  post,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';

type Mode = NonNullable<MockFault['hostile']>;
type Kind = 'chat' | 'responses' | 'messages';

const BODIES: Record<Kind, { path: string; body: Record<string, unknown> }> = {
  chat: {
    path: '/v1/chat/completions',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
  },
  responses: { path: '/v1/responses', body: { model: 'gpt-4o-mini', input: 'hi' } },
  messages: {
    path: '/v1/messages',
    body: {
      model: 'claude-haiku-4-5',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'hi' }],
    },
  },
};

/** Both canaries carry this word; their random tails must not appear either. */
const leaks = (text: string) =>
  text.includes('canary') ||
  text.includes(CANARY_OPENAI_KEY.slice(-16)) ||
  text.includes(CANARY_ANTHROPIC_KEY.slice(-12));

/**
 * A provider that echoes its own key everywhere it can (mock `hostile` modes): in answer
 * text (plain, glued to words, split across chunks), ids / model / fingerprint, stream error
 * events, malformed stream lines and JSON error bodies. The key must never reach the caller,
 * the logs or the audit rows; a broken stream ends with a typed error in the caller's format.
 */
describe('hostile upstream: the provider key never reaches the caller', () => {
  let gw: TestGateway;
  let auth: Record<string, string>;

  beforeAll(async () => {
    gw = await startTestGateway({
      config: { upstream: { retry: { maxAttempts: 1 }, circuit: { enabled: false } } },
    });
    auth = { authorization: `Bearer ${(await gw.createKey()).secret}` };
  });
  beforeEach(() => gw.mock.reset());
  afterAll(async () => {
    expect(leaks(gw.logs.join(''))).toBe(false);
    await gw.flushAudit();
    const rows = await gw.app.store.queryAudit({ limit: 500 });
    expect(rows.length).toBeGreaterThan(20);
    expect(leaks(JSON.stringify(rows))).toBe(false);
    await gw.close();
  });

  async function call(kind: Kind, mode: Mode, stream: boolean) {
    gw.mock.enqueueFault({ hostile: mode });
    const { path, body } = BODIES[kind];
    const res = await post(`${gw.url}${path}`, { ...body, stream }, auth);
    const text = await res.text();
    expect(leaks(text)).toBe(false);
    expect(leaks(JSON.stringify([...res.headers]))).toBe(false);
    return { status: res.status, text };
  }

  const KINDS: Kind[] = ['chat', 'responses', 'messages'];
  const ANSWER_MODES: Mode[] = ['text', 'text_glued', 'text_split', 'ids'];

  it.each(KINDS.flatMap((k) => ANSWER_MODES.map((m) => [k, m] as const)))(
    '%s %s: streamed and non-streamed answers arrive without the key',
    async (kind, mode) => {
      const streamed = await call(kind, mode, true);
      expect(streamed.status).toBe(200);
      expect(streamed.text).not.toContain('"code":"upstream_');
      const whole = await call(kind, mode, false);
      expect(whole.status).toBe(200);
      if (mode !== 'ids') expect(whole.text).toContain('[REDACTED:');
    },
  );

  it.each(KINDS)(
    '%s: a replaced id stays the same across the chunks of one stream',
    async (kind) => {
      const { text } = await call(kind, 'ids', true);
      const ids = new Set([...text.matchAll(/"id":"(bastion-[0-9a-f]+)"/g)].map((m) => m[1]));
      expect(ids.size).toBe(kind === 'chat' ? 1 : ids.size);
      expect(ids.size).toBeGreaterThan(0);
    },
  );

  it.each([
    ['chat', 'stream_error', 'upstream_error'],
    ['chat', 'malformed_line', 'upstream_bad_response'],
    ['responses', 'stream_error', 'upstream_error'],
    ['responses', 'malformed_line', 'upstream_bad_response'],
    ['messages', 'stream_error', 'upstream_error'],
    ['messages', 'malformed_line', 'upstream_bad_response'],
  ] as const)('%s %s: the stream ends with a typed %s event', async (kind, mode, code) => {
    const { text } = await call(kind, mode, true);
    const events = text.trimEnd().split('\n\n');
    const last = events.at(-1) ?? '';
    expect(last).toContain(`"code":"${code}"`);
    if (kind === 'messages') expect(last.startsWith('event: error\n')).toBe(true);
    expect(text).not.toContain('[DONE]');
    await gw.flushAudit();
    const [row] = await gw.app.store.queryAudit({ limit: 1 });
    expect(row?.errorCode).toBe(code);
  });

  it.each(['chat', 'messages'] as const)(
    '%s: an error inside a 200 reply and a JSON error body are typed errors',
    async (kind) => {
      const inside = await call(kind, 'stream_error', false);
      expect(inside.status).toBe(502);
      expect(inside.text).toContain('upstream_error');
      const body = await call(kind, 'error_body', false);
      expect(body.status).toBe(400);
      expect(body.text).toContain('upstream_invalid_request');
    },
  );

  it('the official openai SDK gets a typed APIError from a malformed stream, and no key', async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: auth.authorization!.slice(7) });
    for (const mode of ['malformed_line', 'stream_error'] as const) {
      gw.mock.enqueueFault({ hostile: mode });
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      });
      let text = '';
      const failure = await (async () => {
        try {
          for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(failure).toBeInstanceOf(OpenAI.APIError);
      expect((failure as InstanceType<typeof OpenAI.APIError>).code).toBe(
        mode === 'malformed_line' ? 'upstream_bad_response' : 'upstream_error',
      );
      expect(leaks(text + String(failure))).toBe(false);
    }
    gw.mock.enqueueFault({ hostile: 'text_split' });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      expect(leaks(chunk.id + chunk.model)).toBe(false);
    }
    expect(text).toBe('Key [REDACTED:credential] end.');
  });
});
