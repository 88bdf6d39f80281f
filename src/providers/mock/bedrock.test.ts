import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signSigV4 } from '../../util/aws-sigv4.js';
import { EventStreamDecoder } from '../bedrock/event-stream.js';
import { createMockProvider, type MockProvider } from './server.js';

const CREDS = {
  accessKeyId: 'AKIAMOCKBEDROCK00001', // bastion:allow test canary
  secretAccessKey: 'mockSecretAccessKey/0123456789abcdefghijkl', // bastion:allow test canary
};
const REGION = 'us-east-1';

let mock: MockProvider;
let url: string;

beforeEach(async () => {
  mock = createMockProvider({ aws: { region: REGION, credentials: [CREDS] } });
  url = await mock.listen();
});
afterEach(() => mock.close());

interface Payload {
  delta?: { text?: string; toolUse?: { input: string } };
  start?: { toolUse: { name: string; toolUseId: string } };
  stopReason?: string;
  usage?: { outputTokens: number };
  output?: { message: { content: { text: string }[] } };
}

const request = {
  system: [{ text: 'Be brief.' }],
  messages: [{ role: 'user', content: [{ text: 'Hello there' }] }],
  inferenceConfig: { maxTokens: 100 },
};

function post(path: string, body: unknown, opts: { creds?: typeof CREDS; tamper?: boolean } = {}) {
  const target = new URL(path, url);
  const text = JSON.stringify(body);
  const headers = signSigV4(
    { method: 'POST', url: target, headers: { 'content-type': 'application/json' }, body: text },
    opts.creds ?? CREDS,
    { region: REGION, service: 'bedrock', nowMs: Date.now() },
  );
  delete headers.host;
  return fetch(target, { method: 'POST', headers, body: opts.tamper ? `${text} ` : text });
}

describe('Bedrock Converse', () => {
  it('answers a signed request with output, stopReason and usage', async () => {
    const res = await post('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse', request);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      output: {
        message: {
          role: 'assistant',
          content: [
            { text: 'Mock reply from anthropic.claude-3-haiku-20240307-v1:0: Hello there' },
          ],
        },
      },
      stopReason: 'end_turn',
      usage: {
        inputTokens: expect.any(Number) as unknown,
        outputTokens: expect.any(Number) as unknown,
      },
    });
  });

  it('refuses a bad signature, an unknown key and an unsigned request with AWS errors', async () => {
    const tampered = await post('/model/m/converse', request, { tamper: true });
    expect(tampered.status).toBe(403);
    expect(tampered.headers.get('x-amzn-errortype')).toMatch(/^InvalidSignatureException:/);
    expect(((await tampered.json()) as { message: string }).message).toMatch(/signature/);
    const stranger = await post('/model/m/converse', request, {
      creds: { ...CREDS, accessKeyId: 'AKIAOTHER00000000000' }, // bastion:allow test canary
    });
    expect(stranger.headers.get('x-amzn-errortype')).toMatch(/^UnrecognizedClientException:/);
    const wrongSecret = await post('/model/m/converse', request, {
      creds: { ...CREDS, secretAccessKey: 'not-the-secret' },
    });
    expect(wrongSecret.status).toBe(403);
    const unsigned = await fetch(`${url}/model/m/converse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    expect(unsigned.headers.get('x-amzn-errortype')).toMatch(
      /^MissingAuthenticationTokenException:/,
    );
  });

  it('streams the AWS event stream: messageStart … messageStop, then metadata with usage', async () => {
    const res = await post('/model/m/converse-stream', request);
    expect(res.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
    const messages = new EventStreamDecoder().push(Buffer.from(await res.arrayBuffer()));
    const types = messages.map((m) => m.headers[':event-type']);
    expect(types[0]).toBe('messageStart');
    expect(types.slice(-3)).toEqual(['contentBlockStop', 'messageStop', 'metadata']);
    const payloads = messages.map((m) => JSON.parse(m.payload.toString('utf8')) as Payload);
    const text = payloads
      .filter((_, i) => types[i] === 'contentBlockDelta')
      .map((p) => p.delta?.text ?? '')
      .join('');
    expect(text).toBe('Mock reply from m: Hello there');
    expect(payloads.at(-1)?.usage?.outputTokens).toBeGreaterThan(0);
  });

  it('uses a tool, streamed as toolUse input fragments, then answers from its result', async () => {
    const toolConfig = {
      tools: [
        {
          toolSpec: {
            name: 'lookup',
            inputSchema: {
              json: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
            },
          },
        },
      ],
    };
    const res = await post('/model/m/converse-stream', { ...request, toolConfig });
    const messages = new EventStreamDecoder().push(Buffer.from(await res.arrayBuffer()));
    const payloads = messages.map((m) => JSON.parse(m.payload.toString('utf8')) as Payload);
    const start = payloads.find((p) => p.start !== undefined);
    expect(start?.start?.toolUse.name).toBe('lookup');
    const input = payloads
      .filter((p) => p.delta?.toolUse !== undefined)
      .map((p) => p.delta?.toolUse?.input ?? '')
      .join('');
    expect(JSON.parse(input)).toEqual({ input: 'Hello there' });
    expect(payloads.find((p) => p.stopReason !== undefined)?.stopReason).toBe('tool_use');
    const toolUseId = start?.start?.toolUse.toolUseId ?? '';
    const answer = await post('/model/m/converse', {
      toolConfig,
      messages: [
        ...request.messages,
        {
          role: 'assistant',
          content: [{ toolUse: { toolUseId, name: 'lookup', input: { q: 'x' } } }],
        },
        {
          role: 'user',
          content: [{ toolResult: { toolUseId, content: [{ json: { hits: 3 } }] } }],
        },
      ],
    });
    expect(((await answer.json()) as Payload).output?.message.content[0]?.text).toBe(
      'Mock reply from m: [{"json":{"hits":3}}]',
    );
  });

  it('sends a mid-stream exception as an exception message', async () => {
    mock.enqueueFault({ hostile: 'stream_error' });
    const res = await post('/model/m/converse-stream', request);
    const messages = new EventStreamDecoder().push(Buffer.from(await res.arrayBuffer()));
    const last = messages.at(-1);
    expect(last?.headers[':message-type']).toBe('exception');
    expect(last?.headers[':exception-type']).toBe('modelStreamErrorException');
  });

  it('refuses a conversation that starts with the assistant (ValidationException)', async () => {
    const res = await post('/model/m/converse', {
      messages: [{ role: 'assistant', content: [{ text: 'x' }] }],
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toMatch(/^ValidationException:/);
  });
});
