import { setMaxListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CANARY_OPENAI_KEY,
  startTestGateway,
  UNLIMITED_ENVIRONMENTS,
  type TestGateway,
} from '../helpers/gateway.js';

/**
 * Issue 9, finding 4: the upstream pool caps calls per provider, requests queued behind it had
 * no timeout, and prod keys had no concurrency limit, so 1,000 open streams from one key left
 * another key's request without a byte. Here the pool has 8 connections and every upstream
 * stream stalls after its first chunk (held open until the caller leaves), as a slow model or
 * a hostile key's long streams would.
 */
const CONNECTIONS = 8;
const WAIT_MS = 1_500;
const STREAMS = 1_000;
/** The hog may use the pool but its last connection (10 % of 8, at least one). */
const HOG_MAX = CONNECTIONS - 1;
/** Liveness, not performance: on main the other key's stream never gets a byte. */
const FIRST_BYTE_BOUND_MS = 5_000;

const stream = (content: string) => ({
  model: 'gpt-4o-mini',
  stream: true,
  messages: [{ role: 'user', content }],
});

interface Opened {
  status: number;
  code: string | null;
  retryAfter: string | null;
  /** ms until headers and the first body chunk arrived (200 only). */
  firstByteMs: number;
}

/**
 * Opens a stream and reads until its first chunk, leaving it open until `done` aborts; gives
 * up (status 0) when `deadline` fires first.
 */
async function open(
  gw: TestGateway,
  key: string,
  done: AbortSignal,
  deadline?: AbortSignal,
): Promise<Opened> {
  const started = performance.now();
  const signal = deadline === undefined ? done : AbortSignal.any([done, deadline]);
  const failed = { status: 0, code: null, retryAfter: null, firstByteMs: Number.NaN };
  try {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(stream('hi')),
      signal,
    });
    const retryAfter = res.headers.get('retry-after');
    if (res.status !== 200) {
      const body = (await res.json()) as { error: { code: string } };
      return { status: res.status, code: body.error.code, retryAfter, firstByteMs: Number.NaN };
    }
    await (res.body as ReadableStream<Uint8Array>).getReader().read();
    return { status: 200, code: null, retryAfter, firstByteMs: performance.now() - started };
  } catch {
    return failed;
  }
}

describe('one key cannot starve the others of upstream connections', () => {
  let gw: TestGateway;
  const done = new AbortController();
  setMaxListeners(0, done.signal);

  beforeAll(async () => {
    gw = await startTestGateway({
      config: {
        upstream: { connections: CONNECTIONS, connectionWaitMs: WAIT_MS },
        policy: { environments: UNLIMITED_ENVIRONMENTS },
      },
    });
  });
  afterAll(async () => {
    done.abort();
    await gw.close();
    expect(gw.logs.join('')).not.toContain(CANARY_OPENAI_KEY);
  });

  it('1,000 open streams from one key: another key is served, the queued ones get a typed 503', async () => {
    gw.mock.enqueueFault(...Array.from({ length: STREAMS + 1 }, () => ({ stallAfterChunks: 1 })));
    const hog = (await gw.createKey({ env: 'prod', name: 'hog' })).secret;
    const other = (await gw.createKey({ env: 'prod', name: 'other' })).secret;

    const hogs = Array.from({ length: STREAMS }, () => open(gw, hog, done.signal));
    // The hog holds all it may once its first streams reach the provider.
    await expect
      .poll(() => gw.mock.received.length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(HOG_MAX);
    const mine = await open(gw, other, done.signal, AbortSignal.timeout(FIRST_BYTE_BOUND_MS));
    expect({ status: mine.status, isLive: mine.firstByteMs < FIRST_BYTE_BOUND_MS }).toEqual({
      status: 200,
      isLive: true,
    });

    const outcomes = await Promise.all(hogs);
    const served = outcomes.filter((o) => o.status === 200).length;
    const refused = outcomes.filter((o) => o.status !== 200);
    expect(served).toBe(HOG_MAX);
    expect(refused).toHaveLength(STREAMS - HOG_MAX);
    expect(new Set(refused.map((o) => `${o.status} ${o.code} ${o.retryAfter}`))).toEqual(
      new Set(['503 upstream_queue_timeout 1']),
    );
  }, 60_000);
});

describe('prod keys have a default concurrency limit', () => {
  let gw: TestGateway;
  const done = new AbortController();
  setMaxListeners(0, done.signal);

  beforeAll(async () => {
    // The shipped environment defaults, not the unlimited ones the other suites use.
    gw = await startTestGateway({ config: { policy: {} } });
  });
  afterAll(async () => {
    done.abort();
    await gw.close();
  });

  it('the 33rd stream in flight of one prod key is refused with 429', async () => {
    gw.mock.enqueueFault(...Array.from({ length: 33 }, () => ({ stallAfterChunks: 1 })));
    const key = (await gw.createKey({ env: 'prod' })).secret;
    const first = await Promise.all(Array.from({ length: 32 }, () => open(gw, key, done.signal)));
    expect(first.every((o) => o.status === 200)).toBe(true);
    const extra = await open(gw, key, done.signal);
    expect([extra.status, extra.code]).toEqual([429, 'concurrency_limit_exceeded']);
  }, 30_000);
});
