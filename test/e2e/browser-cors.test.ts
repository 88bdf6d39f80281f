import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtConfig, startTestIdp, type TestIdp } from '../helpers/jwks.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * A real browser (Debian's Chromium at /usr/bin/chromium or CHROMIUM_PATH, never a downloaded
 * one) enforces CORS: these tests load a page from one origin and call the gateway, on another
 * port, the way a single-page app would.
 */
async function servePage(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>app</title><p>app</p>');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

interface CallResult {
  status?: number;
  code?: string | null;
  requestId?: string | null;
  text?: string;
  failed?: string;
}

/** Runs fetch inside the page; a CORS refusal surfaces as `failed`. */
function callFromPage(page: Page, url: string, token: string, stream = false) {
  return page.evaluate(
    async ({ url, token, stream }): Promise<CallResult> => {
      try {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            model: 'gpt-4o-mini',
            stream,
            messages: [{ role: 'user', content: 'hello from the browser' }],
          }),
        });
        return {
          status: res.status,
          code: res.headers.get('x-bastion-error-code'),
          requestId: res.headers.get('x-request-id'),
          text: await res.text(),
        };
      } catch (err) {
        return { failed: String(err) };
      }
    },
    { url, token, stream },
  );
}

describe('a browser app calling the gateway (Chromium)', () => {
  let browser: Browser;
  let gw: TestGateway;
  let idp: TestIdp;
  let allowed: { origin: string; server: Server };
  let other: { origin: string; server: Server };
  let jwt: string;

  beforeAll(async () => {
    [allowed, other, idp] = await Promise.all([servePage(), servePage(), startTestIdp()]);
    gw = await startTestGateway({
      config: {
        server: { cors: { allowedOrigins: [allowed.origin] } },
        jwt: jwtConfig(idp),
      },
    });
    jwt = await idp.sign({ sub: 'browser-user' });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await idp?.close();
    allowed?.server.close();
    other?.server.close();
  });

  const open = async (origin: string) => {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    return page;
  };

  it('lets a page of an allowed origin call with a JWT and read the answer and its request id', async () => {
    const page = await open(allowed.origin);
    const result = await callFromPage(page, gw.url, jwt);
    expect(result.status).toBe(200);
    expect(result.requestId).toMatch(/\S+/);
    expect(JSON.parse(result.text ?? '{}')).toMatchObject({ object: 'chat.completion' });
    await page.close();
  });

  it('streams SSE to the page across origins', async () => {
    const page = await open(allowed.origin);
    const result = await callFromPage(page, gw.url, jwt, true);
    expect(result.status).toBe(200);
    expect(result.text).toContain('data: ');
    expect(result.text?.trim().endsWith('data: [DONE]')).toBe(true);
    await page.close();
  });

  it('shows the page a refusal it can act on: a virtual key in a page is refused', async () => {
    const page = await open(allowed.origin);
    const { secret } = await gw.createKey({ env: 'staging' });
    const result = await callFromPage(page, gw.url, secret);
    expect([result.status, result.code]).toEqual([403, 'virtual_key_from_browser']);
    await page.close();
  });

  it('blocks a page of another origin: the browser refuses and nothing reaches the provider', async () => {
    const page = await open(other.origin);
    const before = gw.mock.received.length;
    const result = await callFromPage(page, gw.url, jwt);
    expect(result.failed).toContain('Failed to fetch');
    expect(gw.mock.received.length).toBe(before);
    await page.close();
  });
});
