import OpenAI from 'openai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockProvider, type MockProvider } from '../../src/providers/mock/server.js';
import { runCliProcess, spawnServe, type ServeProcess } from '../helpers/spawn.js';

const OLD_KEY = 'sk-canary-e2e-reload-old-3f8a2c6d1b9e';
const NEW_KEY = 'sk-canary-e2e-reload-new-8b1d4e7f2a6c';

/** Rotating a `file:` provider key under a running `bastion serve`, then `kill -HUP`. */
describe('SIGHUP reloads secrets in bastion serve', () => {
  let mock: MockProvider;
  let serve: ServeProcess;
  let virtualKey: string;
  let keyFile: string;
  const seenByCaller: string[] = [];

  beforeAll(async () => {
    mock = createMockProvider({ apiKeys: [OLD_KEY, NEW_KEY] });
    const mockUrl = await mock.listen(0, '127.0.0.1');
    const dir = mkdtempSync(join(tmpdir(), 'bastion-e2e-reload-'));
    keyFile = join(dir, 'openai-key');
    writeFileSync(keyFile, `${OLD_KEY}\n`);
    writeFileSync(
      join(dir, 'bastion.yaml'),
      `server:\n  port: 0\ncontrolPlane:\n  port: 0\n` +
        `stores:\n  kind: sqlite\n  sqlite:\n    path: ${join(dir, 'bastion.db')}\n` +
        `providers:\n  openai:\n    kind: openai\n    baseUrl: ${mockUrl}\n    apiKey: file:${keyFile}\n`,
    );
    const env = { PATH: process.env.PATH, BASTION_CONFIG: join(dir, 'bastion.yaml') };
    const created = await runCliProcess(
      ['keys', 'create', '--name', 'reload', '--env', 'dev', '--json'],
      env,
    );
    expect(created.code).toBe(0);
    virtualKey = (JSON.parse(created.stdout) as { key: string }).key;
    serve = await spawnServe([], env);
  });
  afterAll(async () => {
    if (serve?.child.exitCode === null) await serve.stop();
    await mock.close();
  });

  /** One chat call through the gateway; returns the key the mock provider received. */
  async function upstreamKey(): Promise<string | undefined> {
    const openai = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: virtualKey, maxRetries: 0 });
    const reply = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'which key?' }],
    });
    seenByCaller.push(JSON.stringify(reply));
    return mock.received.at(-1)?.headers.authorization;
  }

  /** The `secrets_reloaded` log lines so far. */
  function reloads(): Record<string, unknown>[] {
    return serve
      .output()
      .stdout.split('\n')
      .filter((line) => line.includes('"event":"secrets_reloaded"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it('serves the rewritten key after SIGHUP, and keeps running', async () => {
    expect(await upstreamKey()).toBe(`Bearer ${OLD_KEY}`);
    writeFileSync(keyFile, `${NEW_KEY}\n`);
    serve.child.kill('SIGHUP');
    await expect.poll(reloads).toHaveLength(1);
    expect(reloads()[0]).toMatchObject({ ok: 1, failed: 0, changed: 1 });
    expect(await upstreamKey()).toBe(`Bearer ${NEW_KEY}`);
    expect(serve.child.exitCode).toBeNull();
  });

  it('a key file that disappears keeps the last good key serving', async () => {
    rmSync(keyFile);
    serve.child.kill('SIGHUP');
    await expect.poll(reloads).toHaveLength(2);
    expect(reloads()[1]).toMatchObject({ level: 'warn', ok: 0, failed: 1 });
    expect(await upstreamKey()).toBe(`Bearer ${NEW_KEY}`);
    expect(serve.child.exitCode).toBeNull();
  });

  it('leak canary: neither key is in the log or a response, and SIGTERM still stops cleanly', async () => {
    expect(await serve.stop()).toBe(0);
    const { stdout, stderr } = serve.output();
    for (const text of [stdout, stderr, ...seenByCaller]) {
      expect(text).not.toContain(OLD_KEY);
      expect(text).not.toContain(NEW_KEY);
    }
  });
});
