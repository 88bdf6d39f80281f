import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, ADMIN_TOKEN } from '../helpers/admin.js';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';

const FIRST = 'Bearer mod-canary-first-3c9a1e7f';
const SECOND = 'Bearer mod-canary-second-8b2d4f6a';
const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

/**
 * Secret references outside the provider pools (here the moderation hook's header) go through
 * the same resolver: each retrieval is audited with its component, and a reload reaches them.
 */
describe('secret references of the guard and alerts follow reloads', () => {
  let hook: Server;
  let gw: TestGateway;
  let file: string;
  let auth: Record<string, string>;
  const received: (string | undefined)[] = [];

  beforeAll(async () => {
    hook = createServer((req, res) => {
      received.push(req.headers.authorization);
      req.resume();
      req.on('end', () => res.writeHead(200).end('{"flagged":false}'));
    });
    hook.listen(0, '127.0.0.1');
    await once(hook, 'listening');
    file = join(mkdtempSync(join(tmpdir(), 'bastion-mod-')), 'moderation-auth');
    writeFileSync(file, `${FIRST}\n`);
    gw = await startTestGateway({
      env: { BASTION_ADMIN_TOKEN: ADMIN_TOKEN },
      config: {
        guard: {
          output: {
            moderation: {
              url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`,
              headers: { authorization: `file:${file}` },
            },
          },
        },
      },
    });
    auth = { authorization: `Bearer ${(await gw.createKey()).secret}` };
  });
  afterAll(async () => {
    await gw.close();
    hook.close();
  });

  it('audits the retrieval at start with the component that uses it, never the value', () => {
    const lines = gw.logs.filter((l) => l.includes(`"ref":"file:${file}"`));
    expect(lines.some((l) => l.includes('"guard:moderation"'))).toBe(true);
    expect(gw.logs.join('\n')).not.toContain('mod-canary');
  });

  it('sends the reloaded header value after POST /admin/secrets/reload', async () => {
    expect((await post(`${gw.url}/v1/chat/completions`, chat, auth)).status).toBe(200);
    expect(received.at(-1)).toBe(FIRST);
    writeFileSync(file, `${SECOND}\n`);
    const res = await admin(gw, 'POST', '/admin/secrets/reload');
    expect((res.body as { data: unknown[] }).data).toContainEqual({
      ref: `file:${file}`,
      scheme: 'file',
      outcome: 'ok',
      isChanged: true,
    });
    expect((await post(`${gw.url}/v1/chat/completions`, chat, auth)).status).toBe(200);
    expect(received.at(-1)).toBe(SECOND);
    expect(gw.logs.join('\n')).not.toContain('mod-canary');
  });
});
