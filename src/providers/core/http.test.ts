import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/gateway-error.js';
import { createUpstreamClient, type UpstreamClient, type UpstreamRequest } from './http.js';

/** A provider whose reply is chosen by the request path: `/<status>/<bytes>`, or `/hang`. */
function provider(): Server {
  return createServer((req, res) => {
    req.resume();
    if (req.url === '/hang') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      return;
    }
    const [, status, bytes] = (req.url ?? '').split('/');
    res.writeHead(Number(status), { 'content-type': 'application/json', 'retry-after': '7' });
    res.end('x'.repeat(Number(bytes)));
  });
}

describe('UpstreamClient.requestWhole', () => {
  let server: Server;
  let client: UpstreamClient;
  beforeAll(async () => {
    server = provider().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    client = createUpstreamClient(`http://127.0.0.1:${port}`, {
      connectTimeoutMs: 1_000,
      connections: 4,
    });
  });
  afterAll(async () => {
    await client.close();
    server.closeAllConnections();
    server.close();
  });

  const caps = { maxBytes: 100, maxErrorBytes: 10 };
  const call = (path: string, signal = new AbortController().signal) => {
    const statuses: number[] = [];
    const req: UpstreamRequest = {
      path,
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal,
      firstByteTimeoutMs: 5_000,
      idleTimeoutMs: 5_000,
    };
    return {
      statuses,
      reply: client.requestWhole(req, caps, { upstreamStatus: (s) => statuses.push(s) }),
    };
  };

  it('collects a reply up to its cap, tells its status and reads its headers', async () => {
    const { statuses, reply } = call('/200/100');
    const got = await reply;
    expect([got.status, got.body.length, got.header('retry-after'), statuses]).toEqual([
      200,
      100,
      '7',
      [200],
    ]);
  });

  it('refuses a reply past its cap as upstream_bad_response, and holds no request after', async () => {
    await expect(call('/200/101').reply).rejects.toMatchObject({
      code: 'upstream_bad_response',
    });
    await expect(call('/200/5000000').reply).rejects.toBeInstanceOf(GatewayError);
    await expect.poll(() => client.stats()).toMatchObject({ pending: 0, running: 0 });
  });

  it('answers an error reply past its own cap with what it read up to the cap', async () => {
    const got = await call('/429/5000').reply;
    expect([got.status, got.body.length <= caps.maxErrorBytes]).toEqual([429, true]);
  });

  it('rejects with the signal reason when aborted, before or while the reply arrives', async () => {
    const early = new AbortController();
    early.abort();
    await expect(call('/200/1', early.signal).reply).rejects.toMatchObject({ name: 'AbortError' });
    const late = new AbortController();
    const { statuses, reply } = call('/hang', late.signal);
    await expect.poll(() => statuses).toEqual([200]);
    late.abort();
    await expect(reply).rejects.toMatchObject({ name: 'AbortError' });
    await expect.poll(() => client.stats()).toMatchObject({ pending: 0, running: 0 });
  });
});

/** A provider that streams: `/big` (1 MiB in 16 KiB writes), `/cut` (some bytes, then a reset), `/hang`. */
function streamingProvider(closed: string[]): Server {
  return createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.on('close', () => closed.push(req.url ?? ''));
    if (req.url === '/big') {
      for (let i = 0; i < 64; i++) res.write(Buffer.alloc(16 * 1024, i));
      res.end();
    } else if (req.url === '/cut') {
      res.write('data: {}\n\n', () => setTimeout(() => res.socket?.destroy(), 20));
    } else res.write('data: {}\n\n');
  });
}

describe('UpstreamClient.request', () => {
  let server: Server;
  let client: UpstreamClient;
  const closed: string[] = [];
  beforeAll(async () => {
    server = streamingProvider(closed).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    client = createUpstreamClient(`http://127.0.0.1:${port}`, {
      connectTimeoutMs: 1_000,
      connections: 4,
    });
  });
  afterAll(async () => {
    await client.close();
    server.closeAllConnections();
    server.close();
  });

  const request = (path: string, signal = new AbortController().signal) =>
    client.request({
      path,
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal,
      firstByteTimeoutMs: 5_000,
      idleTimeoutMs: 5_000,
    });

  it('hands a reader that falls behind every byte in order (the connection pauses, then resumes)', async () => {
    const res = await request('/big');
    const got: Buffer[] = [];
    for await (const chunk of res.body) {
      got.push(chunk);
      await new Promise((r) => setTimeout(r, 5));
    }
    const body = Buffer.concat(got);
    const expected = Buffer.concat(
      Array.from({ length: 64 }, (_, i) => Buffer.alloc(16 * 1024, i)),
    );
    expect([res.status, res.headers['content-type'], body.equals(expected)]).toEqual([
      200,
      'text/event-stream',
      true,
    ]);
  });

  it('reads what arrived before a reset, then throws the failure', async () => {
    const res = await request('/cut');
    const got: string[] = [];
    const read = (async () => {
      for await (const chunk of res.body) got.push(chunk.toString());
    })();
    await expect(read).rejects.toBeInstanceOf(Error);
    expect(got.join('')).toBe('data: {}\n\n');
  });

  it('drops the connection when the body is destroyed unread, and holds no request after', async () => {
    const res = await request('/hang');
    for await (const chunk of res.body) {
      expect(chunk.toString()).toBe('data: {}\n\n');
      break; // the loop's return() destroys the body
    }
    expect(res.body.destroyed).toBe(true);
    await expect.poll(() => closed.includes('/hang')).toBe(true);
    await expect.poll(() => client.stats()).toMatchObject({ pending: 0, running: 0 });
  });

  it('throws the signal reason from the next read when aborted while the body arrives', async () => {
    const ctl = new AbortController();
    const res = await request('/hang', ctl.signal);
    const it = res.body[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    const next = it.next();
    ctl.abort();
    await expect(next).rejects.toMatchObject({ name: 'AbortError' });
    await expect.poll(() => client.stats()).toMatchObject({ pending: 0, running: 0 });
  });
});
