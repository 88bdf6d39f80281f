// The Redis limit backend at fleet scale: what one request costs Redis, and what a subject's
// counters weigh after an hour of traffic. Drives the real policy stages (authorize → rate
// limit → concurrency → budget reserve, then the deferred settlement) against the Redis at
// REDIS_URL (default redis://127.0.0.1:6379) under its own key prefix, and reads Redis's own
// accounting (`INFO commandstats`, `MEMORY USAGE`), so the numbers hold whatever the load on
// this machine. One key with rpm, rph and tpm limits and daily and monthly budgets, as in
// issue 13.
// The key also has a concurrency limit, so a request takes a rate window, a slot and a
// reservation: all in one script call since the admission was merged.
// Run after `npm run build`:  node bench/limits-redis.js
//   BENCH_LIMITS_REQUESTS (default 20000)   requests for the CPU and round-trip figures
//   BENCH_LIMITS_CONNS    (default 20)      requests in flight at once
//   BENCH_LIMITS_RATE     (default 20)      simulated req/s for the hour of traffic
//   BENCH_LIMITS_CONCURRENCY (default 1)    0: no concurrency limit on the key
//   BENCH_LIMITS_BASELINE (unset)           another build's dist/ (e.g. of the previous commit):
//                                           measured in the same run, alternating with this one
//   BENCH_LIMITS_CLUSTER  (unset)           seed URLs of a Redis Cluster, comma-separated: this
//                                           build in cluster mode (limits.redis.cluster) there
//                                           (and the baseline too, when given), alternating with
//                                           one Redis at REDIS_URL; CPU, script time and memory
//                                           are summed over the cluster's nodes
//   BENCH_LIMITS_ROUNDS   (default 2)       rounds, the variants alternating in each; the figures
//                                           are medians over the rounds, with their range
//   BENCH_LIMITS_SUBJECTS (default 1)       4: the key's team, its environment and the global
//                                           limits have an rpm and a monthly budget too, so a
//                                           request touches four subject hashes
// Redis's CPU counters are server-wide: on a Redis other clients use, run it against a private
// one (`redis-server --port 6390 --save ''` and REDIS_URL=redis://127.0.0.1:6390).
import console from 'node:console';
import { randomUUID } from 'node:crypto';
import process from 'node:process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const REQUESTS = Number(process.env.BENCH_LIMITS_REQUESTS ?? 20_000);
const CONNS = Number(process.env.BENCH_LIMITS_CONNS ?? 20);
const RATE = Number(process.env.BENCH_LIMITS_RATE ?? 20);
const BASELINE = process.env.BENCH_LIMITS_BASELINE;
const WITH_CONCURRENCY = process.env.BENCH_LIMITS_CONCURRENCY !== '0';
const CLUSTER = process.env.BENCH_LIMITS_CLUSTER;
const SUBJECTS = Number(process.env.BENCH_LIMITS_SUBJECTS ?? 1);
const ROUNDS = Number(process.env.BENCH_LIMITS_ROUNDS ?? 2);
const shared = { rpm: 1e9, monthlyBudgetUsd: 1e6 };
const HOUR_MS = 3_600_000;

/** The modules the bench drives, from a build's dist/ directory. */
async function build(dist) {
  const from = (path) => import(pathToFileURL(resolve(dist, path)).href);
  return {
    ...(await from('config/load.js')),
    ...(await from('limits/redis.js')),
    ...(await from('log/logger.js')),
    ...(await from('pipeline/policy/runtime.js')),
    ...(await from('pipeline/upstream/model-table.js')),
    ...(await from('pipeline/run.js')),
  };
}
const current = await build(new URL('../dist/', import.meta.url).pathname);
const log = current.createLogger({ level: 'silent' });

const store = {
  listKillSwitches: async () => [],
  setKillSwitch: async () => undefined,
  clearKillSwitch: async () => false,
  recordAlert: async () => true,
  sumSpend: async () => [],
};
const models = current.createModelTable(
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

async function openRuntime(mods, prefix, target) {
  const { config } = mods.loadConfig({
    env: {},
    overrides: {
      limits: { backend: 'redis' },
      policy: {
        ...(SUBJECTS > 1 ? { teams: { bench: shared }, global: shared } : {}),
        environments: {
          prod: {
            keyDefaults: {
              rpm: 1e9,
              rph: 1e12,
              tpm: 1e12,
              dailyBudgetUsd: 1e6,
              monthlyBudgetUsd: 1e6,
              ...(WITH_CONCURRENCY ? { concurrency: 1e6 } : {}),
            },
            ...(SUBJECTS > 1 ? { total: shared } : {}),
          },
        },
      },
    },
  });
  const backend = mods.createRedisLimitBackend({
    url: target.url,
    keyPrefix: prefix,
    commandTimeoutMs: 5_000,
    cluster: target.cluster,
  });
  await backend.waitReady(5_000);
  await backend.ping();
  const runtime = mods.createPolicyRuntime(
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
  scopes: { models: ['gpt-4o*'], maxTokens: 1_000, ...(SUBJECTS > 1 ? { team: 'bench' } : {}) },
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
async function admit(mods, stages, i) {
  const ctx = context(i);
  const verdict = await mods.runStages(stages, ctx);
  if (verdict !== undefined) throw new Error(`refused: ${verdict.code}`, { cause: verdict.cause });
  return async () => {
    while (ctx.deferred.length > 0) await ctx.deferred.pop()();
  };
}

/**
 * What Redis spent since the last reset: script calls and their µs (a script's time includes the
 * commands it runs, which Redis also lists on their own, so they are not added), and the CPU of
 * the whole server (`used_cpu_user` + `used_cpu_sys`: reading, parsing and answering included).
 */
async function commandStats(nodes) {
  let calls = 0;
  let usec = 0;
  for (const node of nodes) {
    const info = await node.info('commandstats');
    for (const m of info.matchAll(/^cmdstat_(\S+?):calls=(\d+),usec=(\d+)/gm)) {
      if (m[1] !== 'evalsha' && m[1] !== 'eval') continue;
      calls += Number(m[2]);
      usec += Number(m[3]);
    }
  }
  return { calls, usec };
}

async function serverCpuUs(nodes) {
  let us = 0;
  for (const node of nodes) {
    const info = await node.info('cpu');
    const read = (name) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
    us += (read('used_cpu_user') + read('used_cpu_sys')) * 1e6;
  }
  return us;
}

const STAGES = ['authorize', 'kill_switch', 'rate_limit', 'concurrency', 'budget'];
const REQUEST_PATH_OPS = ['admit', 'consumeRate', 'acquireSlots', 'reserve'];

async function cpuRun(mods, target, prefix) {
  const nodes = target.nodes;
  const runtime = await openRuntime(mods, prefix, target);
  const stages = STAGES.map((n) => runtime.stages[n]);
  for (let i = 0; i < 500; i++) await (await admit(mods, stages, i))();
  // Calls on the request path, counted as the stages make them (each is one round trip).
  let requestPathCalls = 0;
  for (const op of REQUEST_PATH_OPS) {
    if (typeof runtime.backend[op] !== 'function') continue;
    const original = runtime.backend[op].bind(runtime.backend);
    runtime.backend[op] = (...args) => {
      requestPathCalls++;
      return original(...args);
    };
  }
  for (const node of nodes) await node.config('RESETSTAT');
  const cpuBefore = await serverCpuUs(nodes);
  const perNodeBefore = await Promise.all(nodes.map((n) => serverCpuUs([n])));
  // CONNS requests in flight, each settled when it ends, as a gateway under load does.
  let next = 0;
  async function worker() {
    while (next < REQUESTS) {
      const i = next++;
      clock.nowMs += 1;
      await (
        await admit(mods, stages, i)
      )();
    }
  }
  await Promise.all(Array.from({ length: CONNS }, worker));
  const cpuUs = (await serverCpuUs(nodes)) - cpuBefore;
  const perNodeUs = (await Promise.all(nodes.map((n) => serverCpuUs([n])))).map(
    (us, i) => (us - perNodeBefore[i]) / REQUESTS,
  );
  const { usec, calls } = await commandStats(nodes);
  await runtime.stop();
  return {
    scriptUs: usec / REQUESTS,
    cpuUs: cpuUs / REQUESTS,
    requestPathCalls: requestPathCalls / REQUESTS,
    scriptCalls: calls / REQUESTS,
    perNodeUs,
  };
}

/** An hour of traffic at RATE req/s on a simulated clock, then the bytes its keys hold. */
async function memoryRun(mods, target, prefix) {
  const runtime = await openRuntime(mods, prefix, target);
  const stages = STAGES.map((n) => runtime.stages[n]);
  const total = Math.round((RATE * HOUR_MS) / 1000);
  const stepMs = 1000 / RATE;
  const start = clock.nowMs;
  for (let i = 0; i < total; i += CONNS) {
    const batch = [];
    for (let j = 0; j < CONNS && i + j < total; j++) {
      clock.nowMs = Math.floor(start + (i + j) * stepMs);
      batch.push(admit(mods, stages, i + j));
    }
    await Promise.all((await Promise.all(batch)).map((s) => s()));
  }
  await runtime.stop();
  let bytes = 0;
  let keys = 0;
  for (const node of target.nodes) {
    for (const k of await keysOf(node, prefix)) {
      bytes += Number(await node.memory('USAGE', k, 'SAMPLES', 0));
      keys++;
    }
  }
  return { requests: total, bytes, keys };
}

async function keysOf(admin, prefix) {
  const out = [];
  for (const pattern of [`{${prefix}}:*`, `${prefix}:*`]) {
    let cursor = '0';
    do {
      const [nextCursor, found] = await admin.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = nextCursor;
      out.push(...found);
    } while (cursor !== '0');
  }
  return out;
}

async function drop(nodes, prefix) {
  for (const node of nodes) {
    // One DEL per key: a cluster node refuses a DEL over keys of several slots.
    for (const k of await keysOf(node, prefix)) await node.del(k);
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
  return (await commandStats([admin])).usec / 2_000;
}

/** The primaries of the cluster at CLUSTER, one admin connection each. */
async function clusterNodes(seeds) {
  const first = new URL(seeds.split(',')[0].trim());
  const seed = new Redis(Number(first.port || 6379), first.hostname, { maxRetriesPerRequest: 1 });
  try {
    const ranges = await seed.cluster('SLOTS');
    const primaries = [...new Set(ranges.map((r) => `${r[2][0]}:${r[2][1]}`))];
    return primaries.map((hp) => {
      const [host, port] = hp.split(':');
      const node = new Redis(Number(port), host, { maxRetriesPerRequest: 1 });
      node.on('error', () => undefined);
      return node;
    });
  } finally {
    seed.disconnect();
  }
}

/** Which subjects' hashes each primary holds. */
async function placement(nodes) {
  const subjects = ['key:key_bench', 'team:bench', 'env:prod', 'global:*'].slice(0, SUBJECTS);
  const ranges = await nodes[0].cluster('SLOTS');
  const ports = await Promise.all(nodes.map(async (n) => n.options.port));
  const out = nodes.map(() => []);
  for (const subject of subjects) {
    const slot = Number(await nodes[0].cluster('KEYSLOT', `{${subject}}`));
    const owner = ranges.find(([lo, hi]) => lo <= slot && slot <= hi);
    out[ports.indexOf(owner[2][1])]?.push(subject);
  }
  return out;
}

const standalone = { url: REDIS_URL, cluster: false, nodes: [admin] };
const targets = [standalone];
if (CLUSTER !== undefined) {
  const nodes = await clusterNodes(CLUSTER);
  targets.push({ url: CLUSTER, cluster: true, nodes });
}

const variants = [{ name: 'this build', mods: current, target: standalone }];
if (BASELINE !== undefined)
  variants.unshift({ name: 'baseline', mods: await build(BASELINE), target: standalone });
if (CLUSTER !== undefined) {
  if (BASELINE !== undefined)
    variants.push({ name: 'baseline, cluster mode', mods: variants[0].mods, target: targets[1] });
  variants.push({ name: 'this build, cluster mode', mods: current, target: targets[1] });
}
const prefixes = [];
const prefix = () => {
  prefixes.push(`bench-limits-${randomUUID().slice(0, 8)}`);
  return prefixes.at(-1);
};
const f = (n, d = 1) => n.toFixed(d);
const mean = (runs, field) => runs.reduce((n, r) => n + r[field], 0) / runs.length;
const median = (runs, field) => {
  const v = runs.map((r) => r[field]).sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};
const range = (runs, field) => {
  const v = runs.map((r) => r[field]);
  return `${f(Math.min(...v))}–${f(Math.max(...v))}`;
};
try {
  let empty = await emptyScriptUs();
  // The variants alternate in each round, so a change in the machine's load hits all of them.
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of variants) (v.runs ??= []).push(await cpuRun(v.mods, v.target, prefix()));
  }
  empty = (empty + (await emptyScriptUs())) / 2;
  for (const v of variants) v.mem = await memoryRun(v.mods, v.target, prefix());
  const load =
    process.platform === 'win32'
      ? ''
      : `, load average ${(await import('node:os'))
          .loadavg()
          .map((n) => f(n, 2))
          .join(' ')}`;
  console.log(
    `limits on Redis (${REDIS_URL.replace(/\/\/[^@]*@/, '//')}), one key with rpm, rph, tpm, ${WITH_CONCURRENCY ? 'concurrency, ' : ''}daily and monthly budgets` +
      `${SUBJECTS > 1 ? '; its team, environment and the global limits with rpm and a monthly budget' : ''}${load}:`,
  );
  console.log(`  Redis time of an empty script call in this run: ${f(empty, 2)} µs`);
  for (const v of variants) {
    const cpuUs = median(v.runs, 'cpuUs');
    const scriptUs = median(v.runs, 'scriptUs');
    console.log(
      `  ${v.name}: ${REQUESTS} requests x ${v.runs.length}, ${CONNS} in flight: ` +
        `Redis CPU per request ${f(cpuUs)} µs (median; ${range(v.runs, 'cpuUs')}; server used_cpu), ${f(scriptUs)} µs in scripts ` +
        `(${f(scriptUs / empty, 1)}x an empty script call); ` +
        `script calls per request: ${f(mean(v.runs, 'scriptCalls'), 2)} in all, for ` +
        `${f(mean(v.runs, 'requestPathCalls'), 2)} backend call(s) on the request path` +
        `${v.target.cluster ? ` (one script per subject: ${SUBJECTS} in turn)` : ' (one script)'}` +
        `; the calls of one event-loop turn go as one script call`,
    );
    if (v.target.cluster) {
      const perNode = v.runs[0].perNodeUs.map(() => 0);
      for (const r of v.runs) r.perNodeUs.forEach((us, i) => (perNode[i] += us / v.runs.length));
      const placed = await placement(v.target.nodes);
      console.log(
        `    Redis CPU per request by shard: ${perNode.map((us, i) => `${f(us)} µs (${placed[i].join(', ') || 'no subject'})`).join('; ')}; ` +
          `the busiest shard caps this fleet at ${Math.round(1e6 / Math.max(...perNode)).toLocaleString('en')} req/s`,
      );
    }
    console.log(
      `    projected ceiling of one Redis core (one shard): ${Math.round(1e6 / cpuUs).toLocaleString('en')} req/s; ` +
        `memory for the subject${SUBJECTS > 1 ? 's' : ''} after an hour at ${RATE} req/s (${v.mem.requests} requests, simulated clock): ` +
        `${v.mem.bytes} bytes in ${v.mem.keys} keys, ${Math.round(v.mem.bytes / SUBJECTS)} bytes per subject`,
    );
  }
  if (BASELINE !== undefined) {
    const [before, after] = variants.slice(0, 2).map((v) => median(v.runs, 'cpuUs'));
    console.log(`  Redis CPU per request, this build / baseline: ${f(after / before, 2)}`);
  }
} finally {
  for (const t of targets) {
    for (const p of prefixes) await drop(t.nodes, p);
    for (const node of t.nodes) node.disconnect();
  }
}
