import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';

// A SIGTERM while a request is still waiting on its provider: the grace period closes the
// socket, the request's pipeline then ends (upstream aborted, counters settled) and queues its
// audit row. The writer must close after that row, in every durability mode, and the gateway
// must stop (a sync writer once spun on its closed store forever, keeping the process alive).
describe.each(['batched', 'spooled', 'sync'] as const)(
  'shutdown with a request in flight, audit.durability %s',
  (durability) => {
    let gw: TestGateway | undefined;
    afterEach(async () => {
      await gw?.mock.close();
    });

    it('stops, and the request cut off by the grace period is audited', async () => {
      gw = await startTestGateway({
        config: { server: { shutdownGraceMs: 50 }, audit: { durability, flushIntervalMs: 20 } },
      });
      const { secret } = await gw.createKey();
      gw.mock.enqueueFault({ delayMs: 60_000 });
      const reply = post(
        `${gw.url}/v1/chat/completions`,
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'still there?' }] },
        { authorization: `Bearer ${secret}` },
      ).catch((err: unknown) => err);
      await expect.poll(() => gw?.mock.received.length).toBe(1);

      await gw.app.stop();

      // The caller lost its connection rather than getting an answer.
      expect(await reply).toBeInstanceOf(Error);
      const store = createSqliteStore({ path: gw.dbPath });
      try {
        const rows = await store.queryAudit({ limit: 10 });
        expect(rows).toEqual([
          expect.objectContaining({ endpoint: '/v1/chat/completions', errorCode: 'client_closed' }),
        ]);
      } finally {
        await store.close();
      }
      expect(gw.logs.join('')).not.toMatch(/audit_rows_unwritten|audit_write_failed/);
    });
  },
);
