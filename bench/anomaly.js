// The anomaly detector's cost per request (src/policy/anomaly/), in process: `observe()` as the
// data plane calls it after each request's last byte, with every kind on (spend, request and
// guard-refusal spikes, new networks, auth probing) over 1,000 keys in steady state, 2 % of the
// requests 401s from rotating addresses and every 50th request from a key's new address. The
// merge with the store (a real SQLite file) runs off the request path on the tracker's timer in
// production; here it runs every 1,000 requests and is reported apart, per request.
// The console adds nothing per request: it runs on the control plane and reads the store.
// Run after `npm run build`:  node bench/anomaly.js   (BENCH_ANOMALY_ITERATIONS, default 200000)
import console from 'node:console';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../dist/log/logger.js';
import { anomaliesSchema } from '../dist/policy/anomaly/config.js';
import { createAnomalyTracker } from '../dist/policy/anomaly/tracker.js';
import { createSqliteStore } from '../dist/store/sqlite/sqlite-store.js';

const ITERATIONS = Number(process.env.BENCH_ANOMALY_ITERATIONS ?? 200_000);
const KEYS = 1_000;
const FLUSH_EVERY = 1_000;
const WARMUP = Math.min(20_000, ITERATIONS);

const store = createSqliteStore({
  path: join(mkdtempSync(join(tmpdir(), 'bench-anomaly-')), 'a.db'),
});
await store.migrate();
let nowMs = Date.UTC(2026, 5, 1, 12, 0, 0);
const tracker = createAnomalyTracker(
  {
    store,
    suspend: async () => undefined,
    webhook: undefined,
    clock: { now: () => nowMs, monotonicMs: () => performance.now() },
    log: createLogger({ level: 'silent' }),
  },
  anomaliesSchema.parse({ perEnvironment: true }),
);

const ok = Array.from({ length: KEYS }, (_, i) => ({
  keyId: `key_${i}`,
  keyPrefix: `bk_prod_${String(i).padStart(8, '0')}`,
  env: 'prod',
  status: 200,
  costMicroUsd: 120 + (i % 7),
  clientIp: `198.51.${i % 200}.${(i % 250) + 1}`,
  decisions: [],
}));
const moved = ok.map((r, i) => ({ ...r, clientIp: `203.0.${i % 200}.${(i % 250) + 1}` }));
const refused = {
  keyId: null,
  keyPrefix: null,
  env: null,
  status: 401,
  costMicroUsd: null,
  clientIp: '192.0.2.1',
  decisions: [],
};

function request(i) {
  if (i % 50 === 7) return [{ ...refused, clientIp: `192.0.2.${i % 250}` }, 'bk_prod_zzzzzzzz'];
  const k = i % KEYS;
  return [i % 50 === 0 ? moved[k] : ok[k], undefined];
}

let sink = 0;
/** The floor: the same loop calling a function that only reads what observe reads first. */
function noop(req, prefix) {
  sink += req.status + (prefix === undefined ? 0 : 1);
}

async function run(n, observe = (req, prefix) => tracker.observe(req, prefix)) {
  let observeMs = 0;
  let flushMs = 0;
  for (let i = 0; i < n; i += FLUSH_EVERY) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + FLUSH_EVERY); j++) batch.push(request(j));
    const t0 = performance.now();
    for (const [req, prefix] of batch) observe(req, prefix);
    observeMs += performance.now() - t0;
    // 1,000 requests a simulated second: a new bucket every minute.
    nowMs += 1_000;
    const t1 = performance.now();
    await tracker.flush();
    flushMs += performance.now() - t1;
  }
  await tracker.idle();
  return { observeUs: (observeMs * 1000) / n, flushUs: (flushMs * 1000) / n };
}

await run(WARMUP);
const floor = await run(ITERATIONS, noop);
const { observeUs, flushUs } = await run(ITERATIONS);
await tracker.stop();
await store.close();
const load = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
console.log(`anomaly tracking, ${ITERATIONS} requests over ${KEYS} keys (load average ${load}):`);
console.log(`  observe (request completion path)   ${observeUs.toFixed(2).padStart(8)} µs/request`);
console.log(`  merge with the store (off the path) ${flushUs.toFixed(2).padStart(8)} µs/request`);
console.log(
  `  floor (the same loop, a no-op call)  ${floor.observeUs.toFixed(2).padStart(8)} µs/request (${sink > 0 ? 'ok' : '-'})`,
);
