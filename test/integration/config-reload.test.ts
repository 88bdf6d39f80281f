import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { admin, ADMIN_TOKEN } from '../helpers/admin.js';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';

const BASE = `
audit:
  flushIntervalMs: 20
`;

/**
 * The reload under test: one more model, dev keys limited to 2 requests a minute, and the
 * streaming provider changed (a new header), so its old connections are retired mid-stream.
 */
const TIGHTER = `${BASE}
providers:
  openai:
    headers: { openai-organization: org-reloaded }
models:
  reloaded-model: { provider: openai, upstreamModel: gpt-4o-mini }
policy:
  environments:
    dev:
      keyDefaults: { rpm: 2 }
`;

/** Two problems a start would report: a misspelt key, a negative retry count. */
const INVALID = `${BASE}
models:
  broken: { provider: openai, fallback: [] }
upstream:
  retry: { maxAttempts: -1 }
`;

const chat = (model: string, stream = false) => ({
  model,
  stream,
  messages: [{ role: 'user', content: 'hi' }],
});

describe('config hot reload', () => {
  let gw: TestGateway;
  let file: string;
  let key: string;

  const send = async (model: string) => {
    const res = await post(`${gw.url}/v1/chat/completions`, chat(model), {
      authorization: `Bearer ${key}`,
    });
    const body = (await res.json()) as { error?: { code: string } };
    return { status: res.status, code: body.error?.code };
  };

  beforeAll(async () => {
    file = join(mkdtempSync(join(tmpdir(), 'bastion-reload-')), 'bastion.yaml');
    writeFileSync(file, BASE);
    gw = await startTestGateway({ configFile: file, env: { BASTION_ADMIN_TOKEN: ADMIN_TOKEN } });
    key = (await gw.createKey({ env: 'dev' })).secret;
  });
  afterAll(() => gw.close());

  it('adds a model and tightens a limit on the next request; a stream in flight finishes whole', async () => {
    expect(await send('reloaded-model')).toEqual({ status: 404, code: 'model_not_found' });
    for (let i = 0; i < 3; i++) expect((await send('gpt-4o-mini')).status).toBe(200);

    // A long stream, read only in part before the reload, so it is still flowing upstream.
    const reply = 'streamed-through-the-reload '.repeat(8_000);
    gw.mock.enqueueFault({ reply, chunkSize: 64 });
    const res = await post(`${gw.url}/v1/chat/completions`, chat('gpt-4o-mini', true), {
      authorization: `Bearer ${key}`,
    });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);

    writeFileSync(file, TIGHTER);
    const answer = await admin(gw, 'POST', '/admin/config/reload');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ outcome: 'applied' });
    const changed = (answer.body as { changed: string[] }).changed;
    expect(changed).toEqual(
      expect.arrayContaining(['models.reloaded-model', 'policy.environments', 'providers.openai']),
    );
    expect(gw.logs.join('')).toContain('"event":"config_reloaded"');

    // From the next request on, the key has 2 a minute (nothing was counted while unlimited)...
    const after = [await send('gpt-4o-mini'), await send('gpt-4o-mini'), await send('gpt-4o-mini')];
    expect(after.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(after[2]?.code).toBe('rate_limit_exceeded');
    // ...and a fresh key reaches the new model, through the provider's new settings.
    key = (await gw.createKey({ env: 'dev' })).secret;
    expect(await send('reloaded-model')).toEqual({ status: 200, code: undefined });
    expect(gw.mock.received.at(-1)?.headers['openai-organization']).toBe('org-reloaded');

    // The stream that started before the swap delivers every byte and its end.
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const content = text
      .split('\n')
      .filter((l) => l.startsWith('data: {'))
      .map((l) => {
        const chunk = JSON.parse(l.slice(6)) as { choices: { delta: { content?: string } }[] };
        return chunk.choices[0]?.delta.content ?? '';
      })
      .join('');
    expect(content).toBe(reply);
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('refuses an invalid file with the messages a start prints, and keeps serving', async () => {
    key = (await gw.createKey({ env: 'dev' })).secret;
    writeFileSync(file, INVALID);
    let atStart: readonly string[] = [];
    try {
      loadConfig({ file, env: {} });
    } catch (err) {
      atStart = err instanceof ConfigError ? err.problems : [];
    }
    expect(atStart.length).toBe(2);

    const answer = await admin(gw, 'POST', '/admin/config/reload');
    expect(answer.status).toBe(422);
    expect(answer.body).toEqual({
      error: { code: 'config_invalid', message: expect.any(String) as string, problems: atStart },
    });
    expect(gw.logs.join('')).toContain('"event":"config_reload_refused"');
    // Still the previous config: the reloaded model serves, the broken one does not exist.
    expect(await send('reloaded-model')).toEqual({ status: 200, code: undefined });
    expect((await send('broken')).code).toBe('model_not_found');
  });

  it('names the settings that need a restart and keeps the running config', async () => {
    key = (await gw.createKey({ env: 'dev' })).secret;
    writeFileSync(file, `${TIGHTER}\nlimits:\n  backend: redis\ncontrolPlane:\n  host: 0.0.0.0\n`);
    const answer = await admin(gw, 'POST', '/admin/config/reload');
    expect(answer.status).toBe(409);
    const error = (answer.body as { error: { code: string; problems: string[] } }).error;
    expect(error.code).toBe('config_not_live');
    expect(error.problems).toEqual([
      'controlPlane.host: cannot change on a running gateway; restart to apply it',
      'limits.backend: cannot change on a running gateway; restart to apply it',
    ]);
    expect(await send('reloaded-model')).toEqual({ status: 200, code: undefined });
  });

  it('reports an unchanged file as such', async () => {
    writeFileSync(file, TIGHTER);
    expect((await gw.app.reloadConfig()).outcome).toBe('unchanged');
  });
});

describe('config file watcher (reload.watch, for Kubernetes ConfigMaps)', () => {
  let gw: TestGateway;
  afterAll(() => gw.close());

  it('reloads when the watched file changes, and the new model serves', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bastion-watch-')), 'bastion.yaml');
    const watched = `${BASE}\nreload: { watch: true, debounceMs: 20 }\n`;
    writeFileSync(file, watched);
    gw = await startTestGateway({ configFile: file });
    const key = (await gw.createKey({ env: 'dev' })).secret;
    writeFileSync(
      file,
      `${watched}models:\n  watched-model: { provider: openai, upstreamModel: gpt-4o-mini }\n`,
    );
    const deadline = Date.now() + 10_000;
    while (!gw.logs.join('').includes('"trigger":"watch"') && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(gw.logs.join('')).toContain('"event":"config_reloaded","trigger":"watch"');
    const res = await post(`${gw.url}/v1/chat/completions`, chat('watched-model'), {
      authorization: `Bearer ${key}`,
    });
    expect(res.status).toBe(200);
  });
});
