import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import type { App } from '../../src/app.js';

/**
 * A TCP listener on loopback that accepts and then never speaks. Pointed at with `https://`,
 * the TLS handshake never completes, so the client's connect timeout (which covers TCP and
 * TLS) fires: a connect timeout that never leaves 127.0.0.0/8.
 */
export async function startSilentServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Ref'd timers alive in this process, and what every upstream pool still has running. */
export function resourceSnapshot(app: App): { timers: number; running: number; pending: number } {
  const timers = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  let running = 0;
  let pending = 0;
  for (const provider of app.upstreams.providers.values()) {
    const stats = provider.client.stats();
    running += stats.running;
    pending += stats.pending;
  }
  return { timers, running, pending };
}

/**
 * Waits until no timer or upstream request outlives the fault. It polls on `setImmediate`, not
 * on a timer (`expect.poll` keeps a timer of its own alive, which would count as a leak).
 */
export async function expectNoLeaks(app: App, baselineTimers: number): Promise<void> {
  const settled = () => {
    const now = resourceSnapshot(app);
    return { extraTimers: Math.max(0, now.timers - baselineTimers), ...now, timers: 0 };
  };
  const clean = { extraTimers: 0, timers: 0, running: 0, pending: 0 };
  const giveUpAt = performance.now() + 3_000;
  let last = settled();
  while (JSON.stringify(last) !== JSON.stringify(clean) && performance.now() < giveUpAt) {
    await new Promise((resolve) => setImmediate(resolve));
    last = settled();
  }
  expect(last).toEqual(clean);
}

/**
 * An upstream in front of the mock provider that fails (503) every request carrying a key in
 * `down`, and passes the rest to `target`: key-specific outages the mock's FIFO faults cannot
 * make. Set `target` (the mock's URL) before the first request.
 */
export async function startKeyAwareFront(): Promise<{
  url: string;
  target: string;
  down: Set<string>;
  /** The bearer key of every request it received, in order. */
  seen: string[];
  close(): Promise<void>;
}> {
  const down = new Set<string>();
  const seen: string[] = [];
  const front = { target: '' };
  const server = createHttpServer((req, res) => {
    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    seen.push(key);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (down.has(key)) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"overloaded","type":"server_error"}}');
        return;
      }
      const headers = { ...req.headers };
      delete headers.host;
      delete headers['content-length'];
      fetch(`${front.target}${req.url ?? '/'}`, {
        method: req.method ?? 'POST',
        headers: headers as Record<string, string>,
        body: Buffer.concat(chunks),
      }).then(
        async (upstream) => {
          res.writeHead(upstream.status, {
            'content-type': upstream.headers.get('content-type') ?? 'application/json',
          });
          res.end(Buffer.from(await upstream.arrayBuffer()));
        },
        () => res.destroy(),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get target() {
      return front.target;
    },
    set target(url: string) {
      front.target = url;
    },
    down,
    seen,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
