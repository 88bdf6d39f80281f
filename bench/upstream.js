// The cost of the upstream stage on the no-fault path, in process: total deadline, key pick,
// breaker check, lease and release, attempt bookkeeping. Compared with the floor: the same
// undici pool request to the same mock provider, body read and parsed, nothing else.
// Run after `npm run build`:  node bench/upstream.js   (BENCH_UPSTREAM_ITERATIONS, default 20000)
import console from 'node:console';
import process from 'node:process';
import { Pool } from 'undici';
import { createLogger } from '../dist/log/logger.js';
import { DisconnectSignal } from '../dist/pipeline/disconnect.js';
import { Secret } from '../dist/log/secret.js';
import { createCircuitRegistry } from '../dist/pipeline/upstream/circuit.js';
import { buildUpstreams } from '../dist/pipeline/upstream/build.js';
import { createUpstreamStage } from '../dist/pipeline/upstream/call.js';
import { NOOP_TRACE } from '../dist/pipeline/trace.js';
import { createMockProvider } from '../dist/providers/mock/server.js';
import { systemClock } from '../dist/util/clock.js';

const ITERATIONS = Number(process.env.BENCH_UPSTREAM_ITERATIONS ?? 20_000);
const WARMUP = 2_000;
const KEY = 'sk-bench-upstream-key';
const log = createLogger({ level: 'silent' });
const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const rawBody = Buffer.from(JSON.stringify(body));

const mock = createMockProvider({ apiKeys: [KEY] });
const mockUrl = await mock.listen(0, '127.0.0.1');

function upstreams(keyCount) {
  const keys = Array.from({ length: keyCount }, (_, i) => ({
    label: `k${i}`,
    apiKey: 'env:BENCH_KEY',
    weight: 1,
    state: 'active',
  }));
  const config = {
    providers: { openai: { kind: 'openai', baseUrl: mockUrl, headers: {}, keys } },
    models: { 'gpt-4o-mini': { provider: 'openai', fallbacks: [] } },
    upstream: {
      connectTimeoutMs: 5_000,
      firstByteTimeoutMs: 60_000,
      idleTimeoutMs: 60_000,
      totalTimeoutMs: 600_000,
      maxResponseBytes: 16 * 1024 * 1024,
      connections: 8,
    },
  };
  const circuitOpts = {
    enabled: true,
    failureThreshold: 5,
    errorRatePct: 50,
    minRequests: 20,
    windowMs: 30_000,
    openMs: 30_000,
    halfOpenProbes: 1,
  };
  return buildUpstreams(config, {
    resolveSecret: () => new Secret(KEY),
    mock: undefined,
    circuits: createCircuitRegistry({ clock: systemClock, log, sync: undefined }, circuitOpts),
    clock: systemClock,
  });
}

function context(target) {
  return {
    reqId: 'req',
    route: { id: 'chat_completions', dialect: 'openai' },
    clock: systemClock,
    disconnect: new DisconnectSignal(),
    log,
    headers: {},
    defer() {},
    trace: NOOP_TRACE,
    body,
    rawBody,
    isStream: false,
    target,
    response: undefined,
    usage: undefined,
    upstreamLatencyMs: undefined,
    upstreamKey: undefined,
    decisions: [],
    policy: undefined,
  };
}

async function measure(name, once) {
  for (let i = 0; i < WARMUP; i++) await once();
  const samples = new Float64Array(ITERATIONS);
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    await once();
    samples[i] = (performance.now() - t0) * 1000;
  }
  samples.sort();
  const at = (q) => samples[Math.floor(q * (samples.length - 1))];
  return { name, p50: at(0.5), p99: at(0.99) };
}

const pool = new Pool(new URL(mockUrl).origin, { connections: 8, pipelining: 1 });
const floor = await measure('floor: pool request', async () => {
  const res = await pool.request({
    method: 'POST',
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: rawBody,
    signal: new globalThis.AbortController().signal,
  });
  JSON.parse(await res.body.text());
});
const rows = [floor];
for (const keyCount of [1, 3]) {
  const up = upstreams(keyCount);
  const stage = createUpstreamStage(
    {},
    {
      maxResponseBytes: 16 * 1024 * 1024,
      retry: { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 5_000, maxRetryTimeMs: 15_000 },
    },
  );
  const target = up.models.resolve('gpt-4o-mini', 'chat_completions');
  rows.push(
    await measure(`upstream stage, ${keyCount} key(s)`, async () => {
      const err = await stage.run(context(target));
      if (err !== undefined) throw err;
    }),
  );
  await up.close();
}
await pool.close();
await mock.close();

console.log(`upstream bench: ${ITERATIONS} sequential requests each, node ${process.version}`);
for (const r of rows) {
  const over = r === floor ? '' : `  (+${(r.p50 - floor.p50).toFixed(1)} µs p50 over the floor)`;
  console.log(
    `${r.name.padEnd(26)} p50 ${r.p50.toFixed(1).padStart(7)} µs  p99 ${r.p99.toFixed(1).padStart(7)} µs${over}`,
  );
}
