// The cost of the access-policy and spend-control stages, in process: authorize, kill switch,
// rate limits (rps, rpm, tpm on key, env and global), concurrency slot, budget reservation
// with prompt-token counting, and the deferred settlement. No sockets: it measures our code.
// Run after `npm run build`:  node bench/policy.js   (BENCH_POLICY_ITERATIONS, default 20000)
import console from 'node:console';
import process from 'node:process';
import { setImmediate } from 'node:timers';
import { loadConfig } from '../dist/config/load.js';
import { createMemoryLimitBackend } from '../dist/limits/memory.js';
import { createLogger } from '../dist/log/logger.js';
import { createPolicyRuntime } from '../dist/pipeline/policy/runtime.js';
import { createModelTable } from '../dist/pipeline/upstream/model-table.js';
import { runStages } from '../dist/pipeline/run.js';
import { systemClock } from '../dist/util/clock.js';

const ITERATIONS = Number(process.env.BENCH_POLICY_ITERATIONS ?? 20_000);
const WARMUP = 2_000;
const log = createLogger({ level: 'silent' });

const store = {
  listKillSwitches: async () => [],
  setKillSwitch: async () => undefined,
  clearKillSwitch: async () => false,
  recordAlert: async () => true,
  sumSpend: async () => [],
};
const models = createModelTable(
  new Map([
    ['gpt-4o-mini', { provider: { id: 'openai' }, upstreamModel: undefined }],
    ['claude-haiku-4-5', { provider: { id: 'anthropic' }, upstreamModel: undefined }],
  ]),
  [],
  [],
);
const { config } = loadConfig({
  env: {},
  overrides: {
    policy: {
      environments: {
        prod: { keyDefaults: { rpm: 1e9, monthlyBudgetUsd: 1e6 }, total: { rpm: 1e9 } },
      },
      global: { rps: 1e9, dailyBudgetUsd: 1e6 },
    },
  },
});
const policy = createPolicyRuntime(
  {
    store,
    backend: createMemoryLimitBackend(),
    models,
    clock: systemClock,
    log,
    endUserPseudonym: () => undefined,
    webhookSecret: undefined,
  },
  config,
);
await policy.start();
const stages = ['authorize', 'kill_switch', 'rate_limit', 'concurrency', 'budget'].map(
  (n) => policy.stages[n],
);

const key = {
  id: 'key_bench',
  name: 'bench',
  env: 'prod',
  prefix: 'bk_prod_bench000',
  hash: '0'.repeat(64),
  createdAtMs: 0,
  expiresAtMs: null,
  revokedAtMs: null,
  scopes: {
    models: ['gpt-4o*', 'claude-*'],
    ipRanges: ['127.0.0.0/8', '10.0.0.0/8'],
    maxTokens: 1_000,
    limits: { tpm: 1e12, concurrency: 1e6 },
  },
};
// The system prompt repeats (as in real traffic); the user message differs every request.
const bodyOf = (i) => ({
  model: 'gpt-4o-mini',
  max_tokens: 200,
  messages: [
    { role: 'system', content: 'You are a helpful assistant for an online shop.' },
    {
      role: 'user',
      content: `Where is my order ${i}? It was due yesterday and I need it for a trip.`,
    },
  ],
});
const signal = new globalThis.AbortController().signal;

function context(i) {
  const deferred = [];
  return {
    reqId: `req_bench_${i}`,
    route: { id: 'chat_completions', dialect: 'openai' },
    clock: systemClock,
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
    body: bodyOf(i),
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

const perStage = stages.map(() => []);

async function once(i) {
  const ctx = context(i);
  const started = performance.now();
  const verdict = await runStages(stages, ctx);
  const admitted = performance.now();
  while (ctx.deferred.length > 0) await ctx.deferred.pop()();
  const settled = performance.now();
  if (verdict !== undefined) throw new Error(`refused: ${verdict.code}`);
  return [admitted - started, settled - admitted];
}

/** The same request, one stage at a time, for the breakdown. */
async function eachStage(i) {
  const ctx = context(i);
  for (let s = 0; s < stages.length; s++) {
    const t = performance.now();
    const v = stages[s].run(ctx);
    if (v instanceof Promise) await v;
    perStage[s].push(performance.now() - t);
  }
  while (ctx.deferred.length > 0) await ctx.deferred.pop()();
}

const admit = [];
const settle = [];
for (let i = 0; i < WARMUP + ITERATIONS; i++) {
  // A server yields to the event loop between requests; so must we, or timers never run.
  if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
  const [a, s] = await once(i);
  if (i >= WARMUP) {
    admit.push(a);
    settle.push(s);
  }
}
for (let i = 0; i < ITERATIONS / 4; i++) {
  if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
  await eachStage(WARMUP + ITERATIONS + i);
}
const pct = (xs, p) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const us = (ms) => `${(ms * 1000).toFixed(1)} µs`;
const total = admit.map((a, i) => a + settle[i]);
console.log(
  `policy stages, in process, ${ITERATIONS} requests (memory backend, 3 subjects, tokenizer on):`,
);
console.log(
  `  admit (authorize → budget reserve)  p50 ${us(pct(admit, 50))}  p99 ${us(pct(admit, 99))}`,
);
console.log(
  `  settle (deferred)                   p50 ${us(pct(settle, 50))}  p99 ${us(pct(settle, 99))}`,
);
console.log(
  `  total                               p50 ${us(pct(total, 50))}  p99 ${us(pct(total, 99))}`,
);
console.log(
  '  per stage p50: ' + stages.map((st, i) => `${st.name} ${us(pct(perStage[i], 50))}`).join(', '),
);
await policy.stop();
