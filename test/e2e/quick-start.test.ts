import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliProcess, spawnServe, type ServeProcess } from '../helpers/spawn.js';

/**
 * The README's quick start, followed literally in a shell that already holds what the README and
 * docs tell people to export (issue 11: `BASTION_KEY` was read as config and every later `serve`
 * or CLI command exited 2 with "unknown key(s) key").
 */
describe('README quick start in a fresh shell', () => {
  let dir: string;
  let serve: ServeProcess;
  let env: NodeJS.ProcessEnv;
  let demoKey: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bastion-quickstart-'));
    env = {
      PATH: process.env.PATH,
      BASTION_KEY: 'bk_dev_from_an_earlier_run',
      BASTION_METRICS_TOKEN: 'metrics-token-in-the-shell',
      BASTION_AUDIT_CHAIN_KEY: 'chain-key-in-the-shell',
      BASTION_ALERT_SECRET: 'alert-secret-in-the-shell',
      BASTION_ADMIN_TOKEN: 'admin-token-in-the-shell',
      // Port 0 only so parallel suites do not collide; the README uses the defaults.
      BASTION_CONTROL_PLANE__PORT: '0',
    };
    serve = await spawnServe(['--port', '0'], env, { cwd: dir });
    demoKey = await bannerKey(serve);
    env = { ...env, BASTION_KEY: demoKey }; // export BASTION_KEY=…
  });
  afterAll(async () => {
    if (serve.child.exitCode === null) await serve.stop();
  });

  const headers = () => ({
    authorization: `Bearer ${env.BASTION_KEY ?? ''}`,
    'content-type': 'application/json',
  });

  it('answers curl, the OpenAI SDK and the Anthropic SDK, more than ten times a minute', async () => {
    const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] };
    const plain = await fetch(`${serve.url}/v1/chat/completions`, {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify(chat),
    });
    expect(plain.status).toBe(200);
    const streamed = await fetch(`${serve.url}/v1/chat/completions`, {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify({ ...chat, stream: true }),
    });
    expect(await streamed.text()).toContain('data: [DONE]');
    const messages = await fetch(`${serve.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': env.BASTION_KEY ?? '',
        'anthropic-version': '2023-06-01',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ ...chat, model: 'claude-haiku-4-5', max_tokens: 200 }),
    });
    expect(messages.status).toBe(200);

    const openai = new OpenAI({
      baseURL: `${serve.url}/v1`,
      apiKey: env.BASTION_KEY,
      maxRetries: 0,
    });
    const anthropic = new Anthropic({ baseURL: serve.url, apiKey: env.BASTION_KEY, maxRetries: 0 });
    for (let i = 0; i < 4; i++) {
      const completion = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Hello' }],
      });
      expect(completion.choices[0]?.message.content).toContain('Hello');
      const vectors = await openai.embeddings.create({
        model: 'text-embedding-3-small',
        input: 'Hello',
      });
      expect(vectors.data).toHaveLength(1);
    }
    const stream = anthropic.messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect((await stream.finalMessage()).content[0]).toMatchObject({ type: 'text' });
  });

  it('leaves later CLI commands working with BASTION_KEY exported', async () => {
    const listed = await runCliProcess(['keys', 'list'], env, { cwd: dir });
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(demoKey.slice(0, 'bk_dev_'.length + 8));
    expect(listed.stdout).not.toContain(demoKey);
  });
});

/** The demo key from the banner `serve` prints on stderr once it listens. */
function bannerKey(serve: ServeProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const stderr = serve.child.stderr;
    const look = () => {
      const match = /export BASTION_KEY=(bk_dev_\S+)/.exec(serve.output().stderr);
      if (match?.[1] === undefined) return;
      stderr?.off('data', look);
      resolve(match[1]);
    };
    stderr?.on('data', look);
    serve.child.once('exit', (code) => reject(new Error(`serve exited (${code})`)));
    look();
  });
}
