import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARY_OPENAI_KEY, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * Issue 9, finding 8: an endless chunked body with a valid key was held ~300 s, slow headers
 * ~90 s. Both are now bounded by server.headersTimeoutMs / server.bodyTimeoutMs and answered
 * with a typed 408 while an answer is still possible. Small timeouts here; no sleeps: each test
 * waits for the gateway to end the connection.
 */
const HEADERS_TIMEOUT_MS = 150;
const BODY_TIMEOUT_MS = 250;

/** Everything the gateway sends until it closes the connection. */
async function replyOf(socket: Socket): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  await once(socket, 'close');
  return Buffer.concat(chunks).toString('utf8');
}

function parse(reply: string): { status: number; headers: string; body: unknown } {
  const split = reply.indexOf('\r\n\r\n');
  const head = reply.slice(0, split).toLowerCase();
  let body = reply.slice(split + 4);
  if (head.includes('transfer-encoding: chunked')) body = dechunk(body);
  return { status: Number(head.split(' ')[1]), headers: head, body: JSON.parse(body) as unknown };
}

function dechunk(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const eol = text.indexOf('\r\n', at);
    const size = parseInt(text.slice(at, eol), 16);
    if (!(size > 0)) return out;
    out += text.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

describe('slow clients', () => {
  let gw: TestGateway;
  let port: number;
  beforeAll(async () => {
    gw = await startTestGateway({
      config: {
        server: {
          port: 0,
          host: '127.0.0.1',
          headersTimeoutMs: HEADERS_TIMEOUT_MS,
          bodyTimeoutMs: BODY_TIMEOUT_MS,
        },
      },
    });
    port = Number(new URL(gw.url).port);
  });
  afterAll(() => gw.close());

  async function open(): Promise<Socket> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return socket;
  }

  it.each([
    ['/v1/chat/completions', 'openai'],
    ['/v1/messages', 'anthropic'],
  ])(
    'answers an endless chunked body on %s with 408 request_timeout in its dialect and closes',
    async (path, dialect) => {
      const key = await gw.createKey();
      const socket = await open();
      const reply = replyOf(socket);
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key.secret}\r\n` +
          'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n' +
          '5\r\n{"mod\r\n',
      );
      const { status, headers, body } = parse(await reply);
      expect(status).toBe(408);
      expect(headers).toContain('x-bastion-error-code: request_timeout');
      expect(headers).toContain('connection: close');
      expect(body).toMatchObject(
        dialect === 'anthropic'
          ? { type: 'error', error: { code: 'request_timeout' } }
          : { error: { code: 'request_timeout' } },
      );
      await gw.flushAudit();
      const [row] = await gw.app.store.queryAudit({ keyId: key.id, limit: 1 });
      expect([row?.status, row?.errorCode]).toEqual([408, 'request_timeout']);
      expect(gw.mock.received).toHaveLength(0);
    },
  );

  it('answers headers that never finish with 408 request_timeout and closes', async () => {
    const socket = await open();
    const reply = replyOf(socket);
    socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n');
    const { status, body } = parse(await reply);
    expect([status, body]).toMatchObject([408, { error: { code: 'request_timeout' } }]);
  });

  it('still answers malformed requests with a typed 400', async () => {
    const socket = await open();
    const reply = replyOf(socket);
    socket.write('NOT HTTP AT ALL\r\n\r\n');
    const { status, body } = parse(await reply);
    expect([status, body]).toMatchObject([400, { error: { code: 'malformed_http_request' } }]);
    for (const line of gw.logs) expect(line).not.toContain(CANARY_OPENAI_KEY);
  });
});
