import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** A made-up OpenAI project key, built at run time so the repository holds no key-shaped text. */
function fakeProjectKey(): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const part = (n: number) => [...randomBytes(n)].map((b) => abc[b % abc.length]).join('');
  return `sk-proj-${part(48)}T3BlbkFJ${part(48)}`;
}

type Json = Record<string, unknown>;
interface ErrorBody {
  type?: string;
  error: { code: string; type: string };
}

/** Words of the model's answers: none may reach a log line or an audit row. */
const MARK = 'quokka-marmalade';
/** The moderation server flags any input containing this. */
const FLAG = 'forbidden-topic';
const MOD_AUTH = 'Bearer mod-token-5c1e9a77d2';
const clean = (n: number) => `${MARK} is a harmless sentence. `.repeat(n);

/** The assistant text a client assembles from a chat or messages stream. */
function streamedText(sse: string): string {
  let text = '';
  for (const line of sse.split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    const e = JSON.parse(line.slice(6)) as Json;
    const choices = e.choices as { delta?: { content?: string } }[] | undefined;
    text += choices?.[0]?.delta?.content ?? '';
    if (e.type === 'content_block_delta') text += (e.delta as { text: string }).text;
  }
  return text;
}

describe('guard: output moderation hook', () => {
  let moderation: Server;
  let mode: 'answer' | 'hang' | 'fail' = 'answer';
  const seen: { path: string; input: string; headers: IncomingHttpHeaders }[] = [];
  const hanging: (() => void)[] = [];
  let stalled: Server;
  let stalledClosed: Promise<unknown> | undefined;
  let gw: TestGateway;
  let dev: Record<string, string>;
  let ci: Record<string, string>;

  beforeAll(async () => {
    moderation = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const { input } = JSON.parse(Buffer.concat(parts).toString('utf8')) as { input: string };
        seen.push({ path: req.url ?? '', input, headers: req.headers });
        if (mode === 'hang') return void hanging.push(() => res.destroy());
        if (mode === 'fail') return void res.writeHead(500).end('{}');
        const flagged = input.includes(FLAG);
        const body =
          req.url === '/openai'
            ? {
                results: [
                  {
                    flagged,
                    categories: { harassment: flagged, violence: false },
                    category_scores: { harassment: flagged ? 0.91 : 0.01, violence: 0.02 },
                  },
                ],
              }
            : { flagged, ...(flagged ? { score: 0.87, categories: ['violence', 'x y'] } : {}) };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
    });
    moderation.listen(0, '127.0.0.1');
    await once(moderation, 'listening');
    const modUrl = `http://127.0.0.1:${(moderation.address() as AddressInfo).port}`;

    // An upstream that sends one flagged event and then nothing: only a cancel ends it.
    stalled = createServer((req, res) => {
      stalledClosed = once(res, 'close');
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const content = `${FLAG} ${clean(20)}`;
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`);
    });
    stalled.listen(0, '127.0.0.1');
    await once(stalled, 'listening');

    gw = await startTestGateway({
      env: { TEST_MOD_AUTH: MOD_AUTH },
      configure: (mockUrl) => ({
        providers: {
          openai: { kind: 'openai', baseUrl: mockUrl, apiKey: 'env:TEST_OPENAI_KEY' },
          anthropic: { kind: 'anthropic', baseUrl: mockUrl, apiKey: 'env:TEST_ANTHROPIC_KEY' },
          stalled: {
            kind: 'openai',
            baseUrl: `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`,
            apiKey: 'env:TEST_OPENAI_KEY',
          },
        },
      }),
      config: {
        models: {
          'gpt-4o-mini': { provider: 'openai' },
          'claude-haiku-4-5': { provider: 'anthropic' },
          'stalled-model': { provider: 'stalled', upstreamModel: 'gpt-4o-mini' },
        },
        guard: {
          output: {
            moderation: {
              url: `${modUrl}/own`,
              timeoutMs: 200,
              streamSegmentChars: 128,
              headers: { authorization: 'env:TEST_MOD_AUTH' },
            },
          },
          // ci keys: the OpenAI reply shape, failing open.
          environments: {
            ci: {
              output: { moderation: { url: `${modUrl}/openai`, timeoutMs: 200, failOpen: true } },
            },
          },
        },
      },
    });
    dev = { authorization: `Bearer ${(await gw.createKey()).secret}` };
    ci = { authorization: `Bearer ${(await gw.createKey({ env: 'ci' })).secret}` };
  });
  beforeEach(() => {
    gw.mock.reset();
    seen.length = 0;
  });
  afterEach(() => {
    mode = 'answer';
    for (const release of hanging.splice(0)) release();
  });
  afterAll(async () => {
    await gw.close();
    for (const s of [moderation, stalled]) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });

  const chat = (stream: boolean, auth = dev, model = 'gpt-4o-mini') =>
    post(
      `${gw.url}/v1/chat/completions`,
      { model, stream, messages: [{ role: 'user', content: 'hi' }] },
      auth,
    );
  const messages = (stream: boolean) =>
    post(
      `${gw.url}/v1/messages`,
      {
        model: 'claude-haiku-4-5',
        stream,
        max_tokens: 100,
        messages: [{ role: 'user', content: 'hi' }],
      },
      dev,
    );
  async function lastAudit() {
    await gw.flushAudit();
    return (await gw.app.store.queryAudit({ limit: 1 }))[0];
  }
  async function expectNoTextLeak() {
    await gw.flushAudit();
    const rows = JSON.stringify(await gw.app.store.queryAudit({ limit: 100 }));
    for (const text of [MARK, FLAG, 'x y']) {
      expect(gw.logs.join('')).not.toContain(text);
      expect(rows).not.toContain(text);
    }
  }

  it('passes an allowed answer, sending the text with the configured header', async () => {
    gw.mock.enqueueFault({ reply: clean(2) });
    const res = await chat(false);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toBe(clean(2));
    expect(seen).toHaveLength(1);
    expect(seen[0]?.input).toBe(clean(2));
    expect(seen[0]?.headers.authorization).toBe(MOD_AUTH);
  });

  it('sends the redacted text: a secret in the answer never reaches the hook', async () => {
    const key = fakeProjectKey();
    gw.mock.enqueueFault({ reply: `use ${key} now` });
    const res = await chat(false);
    expect(res.status).toBe(200);
    expect(seen.map((s) => s.input)).toEqual(['use [REDACTED:openai-project-key] now']);
    expect(JSON.stringify(seen)).not.toContain(key.slice(8, 40));
  });

  it('sends pseudonyms, not the personal data the provider never saw', async () => {
    const res = await post(
      `${gw.url}/v1/chat/completions`,
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'mail anna@example.com' }] },
      dev,
    );
    const body = (await res.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toContain('anna@example.com');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.input).toContain('<EMAIL_1>');
    expect(seen[0]?.input).not.toContain('anna@example.com');
    seen.length = 0;
    gw.mock.enqueueFault({ chunkSize: 3 });
    const streamed = await post(
      `${gw.url}/v1/chat/completions`,
      {
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'mail anna@example.com' }],
      },
      dev,
    );
    expect(streamedText(await streamed.text())).toBe(body.choices[0]?.message.content);
    expect(seen.map((s) => s.input).join('')).toContain('<EMAIL_1>');
    expect(JSON.stringify(seen)).not.toContain('anna@example.com');
  });

  it('refuses a flagged answer on an OpenAI route, and audits score and category names', async () => {
    gw.mock.enqueueFault({ reply: `${clean(1)}${FLAG}` });
    const res = await chat(false);
    const body = (await res.json()) as ErrorBody;
    expect([res.status, body.error.code, body.error.type]).toEqual([
      400,
      'output_moderation_blocked',
      'invalid_request_error',
    ]);
    expect(JSON.stringify(body)).not.toContain(MARK);
    const row = await lastAudit();
    expect(row?.errorCode).toBe('output_moderation_blocked');
    expect(row?.decisions).toContainEqual({
      stage: 'guard_output',
      action: 'block',
      type: 'moderation',
      score: 0.87,
      detail: 'violence',
    });
    await expectNoTextLeak();
  });

  it('refuses a flagged answer on /v1/messages in the Anthropic shape', async () => {
    gw.mock.enqueueFault({ reply: `${clean(1)}${FLAG}` });
    const res = await messages(false);
    const body = (await res.json()) as ErrorBody;
    expect([res.status, body.type, body.error.type, body.error.code]).toEqual([
      400,
      'error',
      'invalid_request_error',
      'output_moderation_blocked',
    ]);
    expect(res.headers.get('x-bastion-error-code')).toBe('output_moderation_blocked');
  });

  it('reads the OpenAI moderation reply shape', async () => {
    gw.mock.enqueueFault({ reply: `${clean(1)}${FLAG}` });
    const res = await chat(false, ci);
    expect(((await res.json()) as ErrorBody).error.code).toBe('output_moderation_blocked');
    expect(seen[0]?.path).toBe('/openai');
    // The override replaced the hook whole: the base hook's credential stays with its URL.
    expect(seen[0]?.headers.authorization).toBeUndefined();
    expect((await lastAudit())?.decisions).toContainEqual({
      stage: 'guard_output',
      action: 'block',
      type: 'moderation',
      score: 0.91,
      detail: 'harassment',
    });
  });

  it('stops a stream at the flagged segment with an error event; earlier segments arrived', async () => {
    gw.mock.enqueueFault({ reply: `${clean(12)}${FLAG}${clean(12)}`, chunkSize: 7 });
    const res = await chat(true);
    expect(res.status).toBe(200);
    const raw = await res.text();
    const text = streamedText(raw);
    expect(text.length).toBeGreaterThanOrEqual(128);
    expect(clean(12).startsWith(text)).toBe(true);
    expect(raw).not.toContain(FLAG);
    expect(raw).not.toContain('[DONE]');
    const last = raw.trim().split('\n').at(-1) as string;
    expect(JSON.parse(last.slice(6))).toMatchObject({
      error: { code: 'output_moderation_blocked' },
    });
    // Segments went one at a time, in order: together they are the text up to the flag.
    expect(seen.map((s) => s.input).join('')).toContain(text);
    expect(seen.at(-1)?.input).toContain(FLAG);
    expect((await lastAudit())?.errorCode).toBe('output_moderation_blocked');
    await expectNoTextLeak();
  });

  it('sends the Anthropic error event on a flagged /v1/messages stream', async () => {
    gw.mock.enqueueFault({ reply: `${clean(1)}${FLAG}`, chunkSize: 5 });
    const res = await messages(true);
    const raw = await res.text();
    expect(raw).toMatch(/event: error\ndata: .*"code":"output_moderation_blocked"/);
    expect(raw).not.toContain(FLAG);
  });

  it('cancels the upstream call when a stream is refused', async () => {
    const res = await chat(true, dev, 'stalled-model');
    expect(await res.text()).toContain('output_moderation_blocked');
    await stalledClosed;
  });

  it.each(['hang', 'fail'] as const)(
    'fails closed with guard_unavailable when the hook does not answer (%s)',
    async (m) => {
      mode = m;
      gw.mock.enqueueFault({ reply: clean(1) });
      const res = await chat(false);
      expect([res.status, ((await res.json()) as ErrorBody).error.code]).toEqual([
        503,
        'guard_unavailable',
      ]);
      expect((await lastAudit())?.decisions).toContainEqual({
        stage: 'guard_output',
        action: 'fail_closed',
        type: 'moderation',
      });
      await expectNoTextLeak();
    },
  );

  it('fails closed mid-stream with a guard_unavailable error event', async () => {
    mode = 'fail';
    gw.mock.enqueueFault({ reply: clean(12), chunkSize: 9 });
    const raw = await (await chat(true)).text();
    expect(raw).toContain('"code":"guard_unavailable"');
    expect(streamedText(raw)).toBe('');
  });

  it.each(['hang', 'fail'] as const)(
    'fails open when configured (%s), and says so in the audit row',
    async (m) => {
      mode = m;
      gw.mock.enqueueFault({ reply: clean(1) });
      const res = await chat(false, ci);
      expect(res.status).toBe(200);
      expect((await lastAudit())?.decisions).toContainEqual({
        stage: 'guard_output',
        action: 'fail_open',
        type: 'moderation',
        count: 1,
      });
    },
  );

  it('fails open on a stream: the whole answer arrives', async () => {
    mode = 'fail';
    gw.mock.enqueueFault({ reply: clean(12), chunkSize: 9 });
    const raw = await (await chat(true, ci)).text();
    expect(streamedText(raw)).toBe(clean(12));
    expect(raw).toContain('[DONE]');
  });
});
