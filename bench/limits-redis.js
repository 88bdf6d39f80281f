// The Redis limit backend at fleet scale: what one request costs Redis, and what a subject's
// counters weigh after an hour of traffic. Drives the real policy stages (authorize → rate
// limit → concurrency → budget reserve, then the deferred settlement) against the Redis at
// REDIS_URL (default redis://127.0.0.1:6379) under its own key prefix, and reads Redis's own
// accounting (`INFO commandstats`, `MEMORY USAGE`), so the numbers hold whatever the load on
// this machine. One key with rpm, rph and tpm limits and daily and monthly budgets, as in
// issue 13.
// Run after `npm run build`:  node bench/limits-redis.js
//   BENCH_LIMITS_REQUESTS (default 20000)   requests for the CPU and round-trip figures
//   BENCH_LIMITS_CONNS    (default 20)      requests in flight at once
//   BENCH_LIMITS_RATE     (default 20)      simulated req/s for the hour of traffic
import console from 'node:console';
import { randomUUID } from 'node:crypto';
import process from 'node:process';
import { Redis } from 'ioredis';
import { loadConfig } from '../dist/config/load.js';
import { createRedisLimitBackend } from '../dist/limits/redis.js';
import { createLogger } from '../dist/log/logger.js';
import { createPolicyRuntime } from '../dist/pipeline/policy/runtime.js';
import { createModelTable } from '../dist/pipeline/upstream/model-table.js';
import { runStages } from '../dist/pipeline/run.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const REQUESTS = Number(process.env.BENCH_LIMITS_REQUESTS ?? 20_000);
const CONNS = Number(process.env.BENCH_LIMITS_CONNS ?? 20);
const RATE = Number(process.env.BENCH_LIMITS_RATE ?? 20);
const HOUR_MS = 3_600_000;
const log = createLogger({ level: 'silent' });

const store = {
  listKillSwitches: async () => [],
  setKillSwitch: async () => undefined,
  clearKillSwitch: async () => false,
  recordAlert: async () => true,
  sumSpend: async () => [],
};
const models = createModelTable(
  new Map([['gpt-4o-mini', { provider: { id: 'openai' }, upstreamModel: undefined }]]),
  [],
  [],
);

/** A clock the bench moves: real time for the CPU run, an hour in steps for the memory run. */
const clock = {
  nowMs: Date.now(),
  now: () => clock.nowMs,
  monotonicMs: () => performance.now(),
};

async function openRuntime(prefix) {
  const { config } = loadConfig({
    env: {},
    overrides: {
      limits: { backend: 'redis' },
      policy: {
        environments: {
          prod: {
            keyDefaults: {
              rpm: 1e9,
              rph: 1e12,
              tpm: 1e12,
              dailyBudgetUsd: 1e6,
              monthlyBudgetUsd: 1e6,
            },
          },
        },
      },
    },
  });
  const backend = createRedisLimitBackend({
    url: REDIS_URL,
    keyPrefix: prefix,
    commandTimeoutMs: 5_000,
  });
  await backend.waitReady(5_000);
  await backend.ping();
  const runtime = createPolicyRuntime(
    {
      store,
      backend,
      models,
      clock,
      log,
      endUserPseudonym: () => undefined,
      webhookSecret: undefined,
    },
    config,
  );
  await runtime.start();
  return runtime;
}

const key = {
  id: 'key_bench',
  name: 'bench',
  env: 'prod',
  prefix: 'bk_prod_bench000',
  hash: '0'.repeat(64),
  createdAtMs: 0,
  expiresAtMs: null,
  revokedAtMs: null,
  scopes: { models: ['gpt-4o*'], maxTokens: 1_000 },
};
const signal = new globalThis.AbortController().signal;

function context(i) {
  const deferred = [];
  return {
    reqId: `req_${randomUUID()}`,
    route: { id: 'chat_completions', dialect: 'openai' },
    clock,
    signal,
    log,
    headers: {},
    clientIp: '127.0.0.1',
    startedAtMs: 0,
    startedMono: 0,
    readBody: async () => Buffer.alloc(0),
    defer: (fn) => void deferred.push(fn),
    deferred,
    caller: { key, env: 'prod', user: undefined },
    rawBody: undefined,
    body: {
      model: 'gpt-4o-mini',
      max_tokens: 200,
      messages: [{ role: 'user', content: `Where is my order ${i}? It was due yesterday.` }],
    },
    isStream: false,
    target: undefined,
    response: { kind: 'json', status: 200, body: '{}' },
    usage: { promptTokens: 40, completionTokens: 120 },
    upstreamLatencyMs: undefined,
    decisions: [],
    policy: undefined,
    guard: undefined,
    costMicroUsd: undefined,
    responseHeaders: {},
    outcome: { status: 200, errorCode: null },
  };
}

/** Admits one request through the policy stages; the settlement is returned, not awaited. */
async function admit(stages, i) {
  const ctx = context(i);
  const verdict = await runStages(stages, ctx);
  if (verdict !== undefined) throw new Error(`refused: ${verdict.code}`, { cause: verdict.cause });
  return async () => {
    while (ctx.deferred.length > 0) await ctx.deferred.pop()();
  };
}

/**
 * The scripts Redis ran since the last reset: calls and µs of Redis CPU. A script's time
 * includes the commands it runs (which Redis also lists on their own, so they are not added),
 * and the backend sends nothing but scripts, so calls are round trips.
 */
async function commandStats(admin) {
  const info = await admin.info('commandstats');
  let calls = 0;
  let usec = 0;
  for (const m of info.matchAll(/^cmdstat_(\S+?):calls=(\d+),usec=(\d+)/gm)) {
    if (m[1] !== 'evalsha' && m[1] !== 'eval') continue;
    calls += Number(m[2]);
    usec += Number(m[3]);
  }
  return { calls, usec };
}

async function cpuRun(admin, prefix) {
  const runtime = await openRuntime(prefix);
  const stages = ['authorize', 'kill_switch', 'rate_limit', 'concurrency', 'budget'].map(
    (n) => runtime.stages[n],
  );
  for (let i = 0; i < 500; i++) await (await admit(stages, i))();
  // Calls on the request path, counted as the stages make them (each is one round trip).
  let requestPathCalls = 0;
  for (const op of ['consumeRate', 'acquireSlots', 'reserve']) {
    const original = runtime.backend[op].bind(runtime.backend);
    runtime.backend[op] = (...args) => {
      requestPathCalls++;
      return original(...args);
    };
  }
  await admin.config('RESETSTAT');
  // CONNS requests in flight, each settled when it ends, as a gateway under load does.
  let next = 0;
  async function worker() {
    while (next < REQUESTS) {
      const i = next++;
      clock.nowMs += 1;
      await (
        await admit(stages, i)
      )();
    }
  }
  await Promise.all(Array.from({ length: CONNS }, worker));
  const { usec, calls } = await commandStats(admin);
  await runtime.stop();
  return {
    perRequestUs: usec / REQUESTS,
    requestPathCalls: requestPathCalls / REQUESTS,
    settleCalls: (calls - requestPathCalls) / REQUESTS,
  };
}

/** An hour of traffic at RATE req/s on a simulated clock, then the bytes its keys hold. */
async function memoryRun(admin, prefix) {
  const runtime = await openRuntime(prefix);
  const stages = ['authorize', 'kill_switch', 'rate_limit', 'concurrency', 'budget'].map(
    (n) => runtime.stages[n],
  );
  const total = Math.round((RATE * HOUR_MS) / 1000);
  const stepMs = 1000 / RATE;
  const start = clock.nowMs;
  for (let i = 0; i < total; i += CONNS) {
    const batch = [];
    for (let j = 0; j < CONNS && i + j < total; j++) {
      clock.nowMs = Math.floor(start + (i + j) * stepMs);
      batch.push(admit(stages, i + j));
    }
    await Promise.all((await Promise.all(batch)).map((s) => s()));
  }
  let bytes = 0;
  let keys = 0;
  for (const pattern of [`{${prefix}}:*`, `${prefix}:*`]) {
    let cursor = '0';
    do {
      const [nextCursor, found] = await admin.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = nextCursor;
      for (const k of found) {
        bytes += Number(await admin.memory('USAGE', k, 'SAMPLES', 0));
        keys++;
      }
    } while (cursor !== '0');
  }
  await runtime.stop();
  return { requests: total, bytes, keys };
}

async function drop(admin, prefix) {
  for (const pattern of [`{${prefix}}:*`, `${prefix}:*`]) {
    let cursor = '0';
    do {
      const [nextCursor, found] = await admin.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = nextCursor;
      if (found.length > 0) await admin.del(...found);
    } while (cursor !== '0');
  }
}

const admin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
admin.on('error', () => undefined);
try {
  await admin.connect();
} catch {
  console.log(`limits on Redis: skipped, no Redis at ${REDIS_URL.replace(/\/\/[^@]*@/, '//')}`);
  process.exit(0);
}
admin.defineCommand('benchEmptyScript', { lua: 'return 1' });

/** Redis time of an empty script call in this run: the unit the figures are measured in. */
async function emptyScriptUs() {
  await admin.config('RESETSTAT');
  for (let i = 0; i < 2_000; i++) await admin.benchEmptyScript(0);
  return (await commandStats(admin)).usec / 2_000;
}

const cpuPrefix = `bench-limits-${randomUUID().slice(0, 8)}`;
const memPrefix = `bench-limits-${randomUUID().slice(0, 8)}`;
try {
  const emptyBefore = await emptyScriptUs();
  const cpu = await cpuRun(admin, cpuPrefix);
  const empty = (emptyBefore + (await emptyScriptUs())) / 2;
  const mem = await memoryRun(admin, memPrefix);
  const perRequestUs = cpu.perRequestUs;
  const f = (n, d = 1) => n.toFixed(d);
  console.log(
    `limits on Redis (${REDIS_URL.replace(/\/\/[^@]*@/, '//')}), one key with rpm, rph, tpm, daily and monthly budgets:`,
  );
  console.log(
    `  ${REQUESTS} requests, ${CONNS} in flight: Redis CPU per request ${f(perRequestUs)} µs; ` +
      `round trips per request: ${f(cpu.requestPathCalls, 2)} on the request path, ` +
      `${f(cpu.settleCalls, 2)} for settlement after the last byte`,
  );
  console.log(
    `  that is ${f(perRequestUs / empty, 2)}x the Redis time of an empty script call in this run (${f(empty, 2)} µs), ` +
      'a figure that holds on a loaded machine',
  );
  console.log(
    `  projected ceiling of one Redis core: ${Math.round(1e6 / perRequestUs).toLocaleString('en')} req/s ` +
      '(per shard: counters of different subjects spread over a cluster when they carry their own hash tag)',
  );
  console.log(
    `  memory for the subject after an hour at ${RATE} req/s (${mem.requests} requests, simulated clock): ` +
      `${(mem.bytes / 1024).toFixed(1)} KiB in ${mem.keys} keys ` +
      `(${f(mem.bytes / mem.requests, 1)} bytes per request of the hour)`,
  );
} finally {
  await drop(admin, cpuPrefix);
  await drop(admin, memPrefix);
  admin.disconnect();
}
