import { connect } from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

describe('request bodies', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.close());

  it('does not wait forever for a client that leaves mid-body, and audits it as client_closed', async () => {
    const key = await gw.createKey();
    const { port } = new URL(gw.url);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key.secret}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":"gpt',
    );
    socket.destroy();
    await expect
      .poll(async () => {
        await gw.flushAudit();
        return (await gw.app.store.queryAudit({ keyId: key.id, limit: 1 }))[0]?.errorCode;
      })
      .toBe('client_closed');
    expect(gw.mock.received).toHaveLength(0);
  });
});
