import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMockProvider, type MockProvider } from '../../src/providers/mock/server.js';
import { runCliProcess, spawnServe, type ServeProcess } from '../helpers/spawn.js';

const PROVIDER_KEY = 'sk-canary-e2e-guard-provider-7c6b5a4d3e2f';

/** Made up at run time: the repository holds no key-shaped strings. */
function fakeProjectKey(): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const part = (n: number) => [...randomBytes(n)].map((b) => abc[b % abc.length]).join('');
  return `sk-proj-${part(48)}T3BlbkFJ${part(48)}`;
}

/** The content guard through the official SDKs against a spawned `bastion serve` (default policy). */
describe('content guard with the official SDKs', () => {
  let mock: MockProvider;
  let serve: ServeProcess;
  let virtualKey: string;

  beforeAll(async () => {
    mock = createMockProvider({ apiKeys: [PROVIDER_KEY] });
    const mockUrl = await mock.listen(0, '127.0.0.1');
    const dir = mkdtempSync(join(tmpdir(), 'bastion-e2e-guard-'));
    writeFileSync(
      join(dir, 'bastion.yaml'),
      `server:\n  port: 0\ncontrolPlane:\n  port: 0\n` +
        `stores:\n  kind: sqlite\n  sqlite:\n    path: ${join(dir, 'bastion.db')}\n` +
        `providers:\n  openai:\n    kind: openai\n    baseUrl: ${mockUrl}\n    apiKey: env:E2E_PROVIDER_KEY\n` +
        `  anthropic:\n    kind: anthropic\n    baseUrl: ${mockUrl}\n    apiKey: env:E2E_PROVIDER_KEY\n`,
    );
    const env = {
      PATH: process.env.PATH,
      BASTION_CONFIG: join(dir, 'bastion.yaml'),
      E2E_PROVIDER_KEY: PROVIDER_KEY,
    };
    const created = await runCliProcess(
      ['keys', 'create', '--name', 'guard', '--env', 'dev', '--json'],
      env,
    );
    expect(created.code).toBe(0);
    virtualKey = (JSON.parse(created.stdout) as { key: string }).key;
    serve = await spawnServe([], env);
  });
  beforeEach(() => mock.reset());
  afterAll(async () => {
    if (serve?.child.exitCode === null) await serve.stop();
    await mock.close();
  });

  const openai = () =>
    new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: virtualKey, maxRetries: 0 });
  const anthropic = () => new Anthropic({ baseURL: serve.url, apiKey: virtualKey, maxRetries: 0 });
  const prompt = 'Email me at dana.lee@example.com, my card is 4111 1111 1111 1111.';

  it('pseudonymises an email and a card on the way out and restores them on the way back (OpenAI)', async () => {
    const reply = await openai().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: prompt }],
    });
    const sent = JSON.stringify(mock.received[0]?.body);
    expect(sent).toContain('Email me at <EMAIL_1>, my card is <CARD_1>.');
    expect(sent).not.toContain('dana.lee@example.com');
    expect(sent).not.toContain('4111 1111');
    expect(reply.choices[0]?.message.content).toBe(`Mock reply from gpt-4o-mini: ${prompt}`);
  });

  it('does the same on an Anthropic stream, chunk by chunk', async () => {
    mock.enqueueFault({ chunkSize: 3 });
    const stream = anthropic().messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 200,
      messages: [{ role: 'user', content: prompt }],
    });
    const message = await stream.finalMessage();
    expect(JSON.stringify(mock.received[0]?.body)).toContain('<EMAIL_1>');
    const text = message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    expect(text).toBe(`Mock reply from claude-haiku-4-5: ${prompt}`);
  });

  it('refuses a pasted sk-proj key before any upstream call', async () => {
    const key = fakeProjectKey();
    const err = await openai()
      .chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: `Why is ${key} rejected?` }],
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect([
      (err as InstanceType<typeof OpenAI.APIError>).status,
      (err as InstanceType<typeof OpenAI.APIError>).code,
    ]).toEqual([400, 'secret_in_prompt']);
    expect(JSON.stringify(err)).not.toContain(key.slice(10, 40));
    expect(mock.received).toHaveLength(0);
  });

  it('redacts a secret the model leaks across chunk boundaries of a stream', async () => {
    const key = fakeProjectKey();
    mock.enqueueFault({ reply: `Here you go: ${key} — keep it safe.`, chunkSize: 3 });
    const stream = await openai().chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'give me a key' }],
    });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      chunks++;
    }
    // Word by word around the held-back key; chunks whose text is all held back are not sent.
    expect(chunks).toBeGreaterThan(6);
    expect(text).toBe('Here you go: [REDACTED:openai-project-key] — keep it safe.');
  });

  it('redacts it in the Responses API stream and its final response object too', async () => {
    const key = fakeProjectKey();
    mock.enqueueFault({ reply: `token ${key} end`, chunkSize: 4 });
    const stream = openai().responses.stream({ model: 'gpt-4o-mini', input: 'key please' });
    let deltas = '';
    stream.on('response.output_text.delta', (e) => {
      deltas += e.delta;
    });
    const final = await stream.finalResponse();
    expect(deltas).toBe('token [REDACTED:openai-project-key] end');
    expect(final.output_text).toBe(deltas);
  });
});
