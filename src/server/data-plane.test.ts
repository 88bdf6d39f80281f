import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log/logger.js';
import { NOOP_TRACER } from '../pipeline/trace.js';
import { systemClock } from '../util/clock.js';
import { createDataPlane, handlersSettled } from './data-plane.js';

describe('data plane: a fault outside the pipeline', () => {
  const lines: string[] = [];
  const log = createLogger({ level: 'info', destination: { write: (s) => lines.push(s) } });
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    lines.length = 0;
  });

  it('is logged, the caller is not left waiting, and shutdown does not wait for it', async () => {
    const server = createDataPlane(
      {
        pipelines: { proxy: [], models: [] },
        log,
        clock: systemClock,
        onFinished: () => undefined,
        tracer: {
          ...NOOP_TRACER,
          start: () => {
            throw new Error('tracer exploded');
          },
        },
      },
      { bodyLimitBytes: 1024, headersTimeoutMs: 5_000, bodyTimeoutMs: 5_000, trustProxyHops: 0 },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () => new Promise((resolve) => server.close(() => resolve()));
    const { port } = server.address() as AddressInfo;

    const reply = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      body: '{}',
    }).catch((err: unknown) => err);

    expect(reply).toBeInstanceOf(Error);
    expect(lines.some((l) => l.includes('"event":"request_failed"'))).toBe(true);
    expect(await handlersSettled(server, 1_000)).toBe(0);
  });
});
