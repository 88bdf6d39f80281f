import OpenAI from 'openai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMockProvider, type MockProvider } from '../../src/providers/mock/server.js';
import { runCliProcess, spawnServe, type ServeProcess } from '../helpers/spawn.js';

const OLD_KEY = 'sk-canary-e2e-reload-old-3f8a2c6d1b9e';
const NEW_KEY = 'sk-canary-e2e-reload-new-8b1d4e7f2a6c';

interface Reloadable {
  serve: ServeProcess;
  keyFile: string;
  /** Replies the caller saw, for the leak check. */
  seenByCaller: string[];
  /** One chat call through the gateway; returns the key the mock provider received. */
  upstreamKey(): Promise<string | undefined>;
  /** The `secrets_reloaded` log lines so far. */
  reloads(): Record<string, unknown>[];
}

/**
 * Rotating a `file:` provider key under a running `bastion serve`, then `kill -HUP`. Each test
 * starts its own gateway on its own key file, so none depends on another having run.
 */
// Each test spawns `bastion keys create` and `bastion serve`: a cap for a loaded machine.
describe('SIGHUP reloads secrets in bastion serve', { timeout: 60_000 }, () => {
  let mock: MockProvider;
  let mockUrl: string;
  const running: ServeProcess[] = [];

  beforeAll(async () => {
    mock = createMockProvider({ apiKeys: [OLD_KEY, NEW_KEY] });
    mockUrl = await mock.listen(0, '127.0.0.1');
  });
  afterEach(async () => {
    for (const serve of running.splice(0)) if (serve.child.exitCode === null) await serve.stop();
  });
  afterAll(async () => {
    await mock.close();
  });

  async function startReloadable(): Promise<Reloadable> {
    const dir = mkdtempSync(join(tmpdir(), 'bastion-e2e-reload-'));
    const keyFile = join(dir, 'openai-key');
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
    const virtualKey = (JSON.parse(created.stdout) as { key: string }).key;
    const serve = await spawnServe([], env);
    running.push(serve);
    const seenByCaller: string[] = [];
    return {
      serve,
      keyFile,
      seenByCaller,
      async upstreamKey() {
        const openai = new OpenAI({
          baseURL: `${serve.url}/v1`,
          apiKey: virtualKey,
          maxRetries: 0,
        });
        const reply = await openai.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'which key?' }],
        });
        seenByCaller.push(JSON.stringify(reply));
        return mock.received.at(-1)?.headers.authorization;
      },
      reloads() {
        return serve
          .output()
          .stdout.split('\n')
          .filter((line) => line.includes('"event":"secrets_reloaded"'))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
      },
    };
  }

  it('serves the rewritten key after SIGHUP, and keeps running', async () => {
    const gw = await startReloadable();
    expect(await gw.upstreamKey()).toBe(`Bearer ${OLD_KEY}`);
    writeFileSync(gw.keyFile, `${NEW_KEY}\n`);
    gw.serve.child.kill('SIGHUP');
    await expect.poll(() => gw.reloads()).toHaveLength(1);
    expect(gw.reloads()[0]).toMatchObject({ ok: 1, failed: 0, changed: 1 });
    expect(await gw.upstreamKey()).toBe(`Bearer ${NEW_KEY}`);
    expect(gw.serve.child.exitCode).toBeNull();
  });

  it('a key file that disappears keeps the last good key serving', async () => {
    const gw = await startReloadable();
    expect(await gw.upstreamKey()).toBe(`Bearer ${OLD_KEY}`);
    rmSync(gw.keyFile);
    gw.serve.child.kill('SIGHUP');
    await expect.poll(() => gw.reloads()).toHaveLength(1);
    expect(gw.reloads()[0]).toMatchObject({ level: 'warn', ok: 0, failed: 1 });
    expect(await gw.upstreamKey()).toBe(`Bearer ${OLD_KEY}`);
    expect(gw.serve.child.exitCode).toBeNull();
  });

  it('leak canary: neither key is in the log or a response, and SIGTERM still stops cleanly', async () => {
    const gw = await startReloadable();
    expect(await gw.upstreamKey()).toBe(`Bearer ${OLD_KEY}`);
    writeFileSync(gw.keyFile, `${NEW_KEY}\n`);
    gw.serve.child.kill('SIGHUP');
    await expect.poll(() => gw.reloads()).toHaveLength(1);
    expect(await gw.upstreamKey()).toBe(`Bearer ${NEW_KEY}`);
    expect(await gw.serve.stop()).toBe(0);
    const { stdout, stderr } = gw.serve.output();
    for (const text of [stdout, stderr, ...gw.seenByCaller]) {
      expect(text).not.toContain(OLD_KEY);
      expect(text).not.toContain(NEW_KEY);
    }
  });
});
