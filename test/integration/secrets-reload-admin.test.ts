import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, ADMIN_TOKEN } from '../helpers/admin.js';
import { CANARY_OPENAI_KEY, post, startTestGateway, type TestGateway } from '../helpers/gateway.js';

const NEXT_KEY = 'sk-canary-openai-reload-admin-7d2e9f1a3b';
const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

describe('POST /admin/secrets/reload', () => {
  let gw: TestGateway;
  let keyFile: string;
  let ref: string;
  let auth: Record<string, string>;
  const seen: string[] = [];

  beforeAll(async () => {
    keyFile = join(mkdtempSync(join(tmpdir(), 'bastion-reload-')), 'openai-key');
    ref = `file:${keyFile}`;
    writeFileSync(keyFile, `${CANARY_OPENAI_KEY}\n`);
    gw = await startTestGateway({
      env: { BASTION_ADMIN_TOKEN: ADMIN_TOKEN },
      mockApiKeys: [NEXT_KEY],
      configure: (mockUrl) => ({
        providers: {
          openai: { kind: 'openai', baseUrl: mockUrl, apiKey: ref, keyLabel: 'openai-primary' },
          anthropic: { kind: 'anthropic', baseUrl: mockUrl, apiKey: 'env:TEST_ANTHROPIC_KEY' },
        },
      }),
    });
    auth = { authorization: `Bearer ${(await gw.createKey()).secret}` };
  });
  afterAll(() => gw.close());

  /** One chat call through the gateway; returns the key the mock provider received. */
  async function upstreamKey(): Promise<string | undefined> {
    const res = await post(`${gw.url}/v1/chat/completions`, chat, auth);
    seen.push(await res.text(), JSON.stringify([...res.headers]));
    expect(res.status).toBe(200);
    return gw.mock.received.at(-1)?.headers.authorization;
  }

  async function reload(token?: string) {
    const res = await admin(gw, 'POST', '/admin/secrets/reload', undefined, token);
    seen.push(JSON.stringify(res.body));
    return res;
  }

  it('refuses a missing or wrong token, and reloads nothing', async () => {
    expect(await upstreamKey()).toBe(`Bearer ${CANARY_OPENAI_KEY}`);
    writeFileSync(keyFile, `${NEXT_KEY}\n`);
    const none = await fetch(`${gw.controlUrl ?? ''}/admin/secrets/reload`, { method: 'POST' });
    seen.push(await none.text());
    expect(none.status).toBe(401);
    const wrong = await reload('adm-wrong-token-000000000000');
    expect([wrong.status, wrong.body]).toMatchObject([
      401,
      { error: { code: 'admin_unauthorized' } },
    ]);
    expect((await admin(gw, 'GET', '/admin/secrets/reload')).status).toBe(405);
    expect(await upstreamKey()).toBe(`Bearer ${CANARY_OPENAI_KEY}`);
    expect(gw.logs.some((l) => l.includes('"event":"secrets_reloaded"'))).toBe(false);
  });

  it('with the token: answers each reference with its outcome, and the new key serves at once', async () => {
    const res = await reload();
    expect(res).toEqual({
      status: 200,
      body: {
        ok: 2,
        failed: 0,
        data: expect.arrayContaining([
          { ref, scheme: 'file', outcome: 'ok', isChanged: true },
          { ref: 'env:TEST_ANTHROPIC_KEY', scheme: 'env', outcome: 'ok', isChanged: false },
        ]) as unknown,
      },
    });
    expect(await upstreamKey()).toBe(`Bearer ${NEXT_KEY}`);
    const events = await admin(gw, 'GET', '/admin/events');
    expect((events.body as { data: unknown[] }).data).toContainEqual(
      expect.objectContaining({
        actor: 'env-admin/alice',
        action: 'secrets_reloaded',
        target: '*',
      }),
    );
  });

  it('a source that fails keeps serving the last good value and reports the code', async () => {
    rmSync(keyFile);
    const res = await reload();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: 1, failed: 1 });
    expect((res.body as { data: unknown[] }).data).toContainEqual({
      ref,
      scheme: 'file',
      outcome: 'error',
      code: 'secret_not_found',
    });
    expect(await upstreamKey()).toBe(`Bearer ${NEXT_KEY}`);
    const reloaded = gw.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.event === 'secrets_reloaded');
    expect(reloaded).toEqual([
      expect.objectContaining({ level: 'info', ok: 2, failed: 0, changed: 1 }),
      expect.objectContaining({ level: 'warn', ok: 1, failed: 1, changed: 0 }),
    ]);
  });

  it('leak canary: neither key is in a log line, an admin answer or a gateway response', () => {
    const text = [...gw.logs, ...seen].join('\n');
    for (const key of [CANARY_OPENAI_KEY, NEXT_KEY]) expect(text).not.toContain(key);
  });
});
