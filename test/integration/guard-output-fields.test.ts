import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * Whole (non-streamed) chat replies whose strings sit outside `content`: an OpenAI-compatible
 * upstream that answers with whatever body the test sets, through the gateway's output guard.
 */

const CANARY = 'sk-proj-Lp3oK8iJ5uH2yG9tF6rD1eS4wA7qZ0xCvBnM2mNbVcXzAsDf'; // bastion:allow test canary

type Json = Record<string, unknown>;

describe('guard: output stage, chat reply fields besides content', () => {
  let gw: TestGateway;
  let auth: Record<string, string>;
  let upstream: Server;
  let nextBody: Json = {};

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(nextBody));
      });
    });
    await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', done));
    const rawUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    gw = await startTestGateway({
      configure: (mockUrl) => ({
        providers: {
          openai: { kind: 'openai', baseUrl: rawUrl, apiKey: 'env:TEST_OPENAI_KEY' },
          anthropic: { kind: 'anthropic', baseUrl: mockUrl, apiKey: 'env:TEST_ANTHROPIC_KEY' },
        },
      }),
    });
    auth = { authorization: `Bearer ${(await gw.createKey()).secret}` };
  });
  afterAll(async () => {
    await gw.close();
    await new Promise((done) => upstream.close(done));
  });

  /** The reply the caller gets when the upstream answers with `choice`. */
  async function reply(choice: Json): Promise<string> {
    nextBody = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1765000000,
      model: 'gpt-4o-mini',
      choices: [{ index: 0, logprobs: null, finish_reason: 'stop', ...choice }],
      usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
    };
    const res = await post(
      `${gw.url}/v1/chat/completions`,
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
      auth,
    );
    expect(res.status).toBe(200);
    return res.text();
  }

  it('redacts a key in the audio transcript', async () => {
    const audio = {
      id: 'audio_1',
      data: 'UklGRiQA',
      expires_at: 1,
      transcript: `Read out ${CANARY} now.`,
    };
    const body = await reply({ message: { role: 'assistant', content: null, audio } });
    expect(body).not.toContain(CANARY);
    const message = (JSON.parse(body) as { choices: { message: Json }[] }).choices[0]?.message;
    expect(message?.audio).toEqual({
      ...audio,
      transcript: 'Read out [REDACTED:openai-project-key] now.',
    });
  });

  it('screens every string of a message field the guard has no handler for', async () => {
    const annotations = [{ type: 'url_citation', url_citation: { title: CANARY, url: 'x' } }];
    const body = await reply({
      message: { role: 'assistant', content: 'Hi', annotations, x_vendor_note: CANARY },
    });
    expect(body).not.toContain(CANARY);
    expect(body).toContain('"content":"Hi"');
  });

  it('screens the function_call fields besides its arguments, and content of a shape it does not take', async () => {
    const body = await reply({
      message: {
        role: 'assistant',
        content: [{ type: 'text', text: CANARY }],
        function_call: { name: 'f', arguments: '{}', note: CANARY },
      },
    });
    expect(body).not.toContain(CANARY);
  });

  it('screens a choice field beside the message (logprobs tokens, a provider addition)', async () => {
    const logprobs = { content: [{ token: CANARY, logprob: -0.1, bytes: [], top_logprobs: [] }] };
    const body = await reply({
      message: { role: 'assistant', content: 'Hi' },
      logprobs,
      provider_note: CANARY,
    });
    expect(body).not.toContain(CANARY);
  });
  it('screens what a tool call carries besides its arguments, and entries that are no call', async () => {
    const call = {
      id: 'call_1',
      type: 'function',
      note: `see ${CANARY}`,
      function: { name: 'send', arguments: '{"to":"ops"}', description: CANARY },
    };
    const body = await reply({
      message: { role: 'assistant', content: null, tool_calls: [call, `raw ${CANARY}`] },
    });
    expect(body).not.toContain(CANARY);
    const message = (JSON.parse(body) as { choices: { message: Json }[] }).choices[0]?.message;
    expect(message?.tool_calls).toEqual([
      {
        ...call,
        note: 'see [REDACTED:credential]',
        function: { ...call.function, description: '[REDACTED:credential]' },
      },
      'raw [REDACTED:credential]',
    ]);
  });
});
