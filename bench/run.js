// npm run bench: the gateway against the floor, in one run.
//   (a) direct to the mock provider, (b) a bare pass-through proxy (the floor), (c) Bastion.
// Latency at one connection (sequential requests, µs precision), throughput at 50 connections
// (autocannon), non-streaming and streaming chat; the time to the first body byte (a stream's
// first event) and the target's CPU per request at one connection; CPU time per request of each target's own
// process (from /proc, so the load generator and the mock are not counted against it); Bastion
// with every guard on and with the content guard off; its RSS idle, under load, and holding
// 1,000 open streams; and the time Bastion (defaults) spent in each pipeline stage, over every
// request of the run after the first warm-up (BASTION_BENCH_STAGES, src/pipeline/bench-timing.ts).
// Then the component benches (scanner, guard, policy, limits on Redis, upstream, tracing,
// anomaly tracking, audit chain) when present.
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'undici';
import { freePort, spawnReady, stopAll } from './processes.js';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/index.js');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const LATENCY_REQUESTS = Number(process.env.BENCH_LATENCY_REQUESTS ?? 3000);
// Requests sent before each latency run's samples are kept (and left out of the stage totals).
const WARMUP_REQUESTS = 200;
const UPSTREAM_KEY = 'sk-bench-upstream';
const OPEN_STREAMS = Number(process.env.BENCH_OPEN_STREAMS ?? 1000);
// One run of each target moves with the machine (the floor's CPU per request varied 71-97 µs
// between two idle runs): every target is measured this many times, alternating, and the table
// shows medians, with the ratios of each round printed under them.
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
// Each target measured alone on its own core, everything else (load generator, mock provider,
// the idle targets) on the others: with them all sharing 2 cores, a target's CPU per request and
// req/s moved with whatever the scheduler put next to it. BENCH_PIN=0 turns it off.
// Read once: pinning this process to one core makes availableParallelism() say 1.
const CORES = availableParallelism();
const PIN = process.env.BENCH_PIN !== '0' && CORES >= 2 && hasTaskset();
// Linux reports process CPU time in clock ticks of 1/100 s on every common architecture.
const CLOCK_TICKS = 100;

function hasTaskset() {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pins every thread of `target` to the last core, and every thread of `others` to the rest. */
function pin(target, others) {
  const last = CORES - 1;
  const rest = last === 1 ? '0' : `0-${last - 1}`;
  execFileSync('taskset', ['-a', '-p', '-c', String(last), String(target)], { stdio: 'ignore' });
  for (const pid of others)
    execFileSync('taskset', ['-a', '-p', '-c', rest, String(pid)], { stdio: 'ignore' });
}

/** Spawns a server and resolves with its process once it says it is ready. */
async function start(args, env, readyPattern) {
  return (await spawnReady(args, env, readyPattern)).child;
}

/** User + system CPU time of a process so far, in µs (Linux /proc; NaN elsewhere). */
function cpuUs(pid) {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

function rssMiB(pid) {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function latency(origin, path, headers, body, pid) {
  const client = new Client(origin, { pipelining: 1 });
  const samples = [];
  // Time to the reply's first body byte: for a stream, the first event (what a user sees
  // first); the whole-stream time above it also counts every later event the mock sends at once.
  const firstBytes = [];
  let cpu0 = 0;
  for (let i = 0; i < LATENCY_REQUESTS + WARMUP_REQUESTS; i++) {
    if (i === WARMUP_REQUESTS) cpu0 = cpuUs(pid);
    const t0 = process.hrtime.bigint();
    const res = await client.request({ method: 'POST', path, headers, body });
    let first;
    for await (const chunk of res.body)
      if (first === undefined && chunk.length > 0) first = process.hrtime.bigint();
    const end = process.hrtime.bigint();
    if (res.statusCode !== 200) throw new Error(`${origin}${path}: status ${res.statusCode}`);
    if (i >= WARMUP_REQUESTS) {
      samples.push(Number(end - t0) / 1000);
      firstBytes.push(Number((first ?? end) - t0) / 1000);
    }
  }
  // The target's own CPU per request at one connection: nearly all of it is on the critical
  // path, and it moves less with the machine than the latency does.
  const cpu1Us = (cpuUs(pid) - cpu0) / LATENCY_REQUESTS;
  await client.close();
  const at = (list, q) => {
    list.sort((x, y) => x - y);
    return list[Math.min(list.length - 1, Math.floor(q * list.length))];
  };
  return {
    p50us: at(samples, 0.5),
    p99us: at(samples, 0.99),
    firstByteP50us: at(firstBytes, 0.5),
    cpu1Us,
  };
}

async function throughput(url, headers, body) {
  const result = await autocannon({
    url,
    method: 'POST',
    headers,
    body,
    connections: 50,
    duration: SECONDS,
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return {
    rps: result.requests.average,
    total: result.requests.total,
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
  };
}

/**
 * Opens `count` streams through `origin` that the mock holds open after their first chunk,
 * waits until every one has delivered it, samples the gateway's RSS, then closes them all.
 */
async function openStreamsRss(origin, headers, model, pid, count) {
  const { Pool } = await import('undici');
  const pool = new Pool(origin, { connections: count, pipelining: 1 });
  const controllers = [];
  const body = JSON.stringify({
    model,
    stream: true,
    messages: [{ role: 'user', content: 'Hold this stream open, please.' }],
  });
  let failed = 0;
  await Promise.all(
    Array.from({ length: count }, async () => {
      const ac = new globalThis.AbortController();
      controllers.push(ac);
      const res = await pool.request({
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { ...headers, 'x-mock-fault': JSON.stringify({ stallAfterChunks: 1 }) },
        body,
        signal: ac.signal,
      });
      if (res.statusCode !== 200) {
        failed += 1;
        await res.body.dump();
        return;
      }
      // The first data event means the gateway has the stream open end to end.
      await new Promise((resolve, reject) => {
        res.body.once('data', resolve);
        res.body.once('error', reject);
      });
      res.body.on('error', () => undefined);
    }),
  );
  const rss = rssMiB(pid);
  for (const ac of controllers) ac.abort();
  await pool.destroy().catch(() => undefined);
  return { rss, failed };
}

async function main() {
  const [mockPort, barePort, bastionPort, controlPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const mock = await start(
    [CLI, 'mock-provider', '--port', String(mockPort), '--api-key', UPSTREAM_KEY],
    {},
    /listening/,
  );
  const mockUrl = `http://127.0.0.1:${mockPort}`;
  const bare = await start(
    [join(ROOT, 'bench/bare-proxy.js'), mockUrl, String(barePort)],
    {},
    /listening/,
  );

  const dir = mkdtempSync(join(tmpdir(), 'bastion-bench-'));
  const [plainPort, plainControlPort] = await Promise.all([freePort(), freePort()]);
  // Enough upstream connections that the open-streams run measures memory, not the pool queue.
  const yaml = (port, control, extra) =>
    `server:\n  port: ${port}\ncontrolPlane:\n  port: ${control}\nlog:\n  level: info\n` +
    `stores:\n  sqlite:\n    path: ${join(dir, 'bastion.db')}\n` +
    `upstream:\n  connections: ${OPEN_STREAMS + 100}\n` +
    `providers:\n  openai:\n    kind: openai\n    baseUrl: ${mockUrl}\n    apiKey: env:BENCH_UPSTREAM_KEY\n` +
    extra;
  writeFileSync(join(dir, 'bastion.yaml'), yaml(bastionPort, controlPort, ''));
  // Auth, policy, budget, audit and metrics only: what the content guard costs on top.
  writeFileSync(
    join(dir, 'plain.yaml'),
    // Its own audit spool: each gateway process on the file needs one.
    yaml(
      plainPort,
      plainControlPort,
      `guard:\n  enabled: false\naudit:\n  spoolPath: ${join(dir, 'plain.spool')}\n`,
    ),
  );
  const env = { BASTION_CONFIG: join(dir, 'bastion.yaml'), BENCH_UPSTREAM_KEY: UPSTREAM_KEY };
  const created = await new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        'keys',
        'create',
        '--name',
        'bench',
        '--env',
        'prod',
        '--json',
        // Every policy stage stays on; the limits are set out of reach so the bench measures cost, not refusals.
        '--rps',
        '1000000',
        '--rpm',
        '1000000000',
        '--rph',
        '1000000000',
        '--tpm',
        '1000000000000',
        '--concurrency',
        '10000',
        '--daily-budget-usd',
        '1000000',
        '--monthly-budget-usd',
        '1000000',
      ],
      {
        env: { ...process.env, ...env },
      },
    );
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`keys create exited ${code}`)),
    );
  });
  const stagesFile = join(dir, 'stages.json');
  const bastion = await start(
    [CLI, 'serve'],
    {
      ...env,
      BASTION_BENCH_STAGES: stagesFile,
      // The first latency run's warm-up pays one-time loads (the BPE table on the first prompt
      // counted): no per-request cost, so left out of the stage totals like its latencies.
      BASTION_BENCH_STAGES_WARMUP: String(WARMUP_REQUESTS),
    },
    /gateway_started/,
  );
  const plain = await start(
    [CLI, 'serve'],
    { ...env, BASTION_CONFIG: join(dir, 'plain.yaml') },
    /gateway_started/,
  );
  await new Promise((r) => setTimeout(r, 200));
  const idleRss = rssMiB(bastion.pid);

  const bastionAuth = { authorization: `Bearer ${created.key}` };
  const targets = [
    ['direct', mockUrl, { authorization: `Bearer ${UPSTREAM_KEY}` }, mock.pid],
    ['bare proxy', `http://127.0.0.1:${barePort}`, {}, bare.pid],
    ['bastion', `http://127.0.0.1:${bastionPort}`, bastionAuth, bastion.pid],
    ['no guard', `http://127.0.0.1:${plainPort}`, bastionAuth, plain.pid],
  ];
  const message = {
    role: 'user',
    content: 'Summarise the plot of Hamlet in two sentences, please.',
  };
  const modes = [
    ['chat', JSON.stringify({ model: 'gpt-4o-mini', messages: [message] })],
    ['chat stream', JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [message] })],
  ];

  const runs = [];
  let peakRss = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [mode, body] of modes) {
      for (const [name, origin, auth, pid] of targets) {
        const headers = { 'content-type': 'application/json', ...auth };
        if (PIN)
          pin(
            pid,
            [process.pid, ...targets.map((t) => t[3])].filter((p) => p !== pid),
          );
        const lat = await latency(origin, '/v1/chat/completions', headers, body, pid);
        const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(bastion.pid))), 100);
        const cpu0 = cpuUs(pid);
        const thr = await throughput(`${origin}/v1/chat/completions`, headers, body);
        const cpuPerReqUs = (cpuUs(pid) - cpu0) / thr.total;
        // How busy the target kept its core: near 100 % means the target was the bottleneck,
        // well under it means the load generator and mock on the other core(s) were.
        const coreUse = (cpuPerReqUs * thr.rps) / 1e6;
        clearInterval(sampler);
        runs.push({ round, mode, target: name, ...lat, ...thr, cpuPerReqUs, coreUse });
      }
    }
  }
  const results = medians(runs);
  const streams = await openStreamsRss(
    `http://127.0.0.1:${bastionPort}`,
    { 'content-type': 'application/json', ...bastionAuth },
    'gpt-4o-mini',
    bastion.pid,
    OPEN_STREAMS,
  );

  console.log(
    `\nGateway bench: ${SECONDS}s per throughput run, ${LATENCY_REQUESTS} sequential requests per latency run, node ${process.version}, ${runs.length} runs` +
      (ROUNDS > 1 ? ` (${ROUNDS} rounds; each figure is the median of its rounds)` : '') +
      (PIN
        ? '; each target pinned alone to one core, the rest on the others (BENCH_PIN=0: unpinned)'
        : '') +
      '\n',
  );
  console.log(
    'mode         target       p50 (1 conn)  p99 (1 conn)  1st byte p50  CPU/req (1 conn)  req/s (50 conn)  p99 (50 conn)  CPU/req  core use',
  );
  for (const r of results) {
    console.log(
      `${r.mode.padEnd(12)} ${r.target.padEnd(12)} ${`${r.p50us.toFixed(0)} µs`.padStart(12)}  ${`${r.p99us.toFixed(0)} µs`.padStart(12)}  ${`${r.firstByteP50us.toFixed(0)} µs`.padStart(12)}  ${`${r.cpu1Us.toFixed(0)} µs`.padStart(16)}  ${r.rps.toFixed(0).padStart(15)}  ${`${r.p99ms} ms`.padStart(13)}  ${`${r.cpuPerReqUs.toFixed(0)} µs`.padStart(7)}  ${`${(100 * r.coreUse).toFixed(0)} %`.padStart(8)}`,
    );
  }
  console.log('');
  for (const [mode] of modes) {
    const [a, b, c, d] = ['direct', 'bare proxy', 'bastion', 'no guard'].map((t) =>
      results.find((r) => r.mode === mode && r.target === t),
    );
    console.log(
      `${mode}: floor adds ${((b.p50us - a.p50us) / 1000).toFixed(3)} ms p50, bastion adds ${((c.p50us - a.p50us) / 1000).toFixed(3)} ms p50 ` +
        `(${((c.p50us - b.p50us) / 1000).toFixed(3)} ms over the floor); req/s ratios b/a ${(b.rps / a.rps).toFixed(2)}, c/b ${(c.rps / b.rps).toFixed(2)}, ` +
        `no-guard/b ${(d.rps / b.rps).toFixed(2)}; CPU per request over the floor's: bastion ${(c.cpuPerReqUs / b.cpuPerReqUs).toFixed(2)}x, no guard ${(d.cpuPerReqUs / b.cpuPerReqUs).toFixed(2)}x`,
    );
    if (ROUNDS > 1) console.log(`  ${mode}, round by round: ${roundRatios(runs, mode)}`);
    const ms = (us) => (us / 1000).toFixed(3);
    console.log(
      `  ${mode}, first byte: floor adds ${ms(b.firstByteP50us - a.firstByteP50us)} ms p50, bastion adds ${ms(c.firstByteP50us - a.firstByteP50us)} ms ` +
        `(${ms(c.firstByteP50us - b.firstByteP50us)} ms over the floor); CPU per request at 1 connection: floor ${b.cpu1Us.toFixed(0)} µs, bastion ${c.cpu1Us.toFixed(0)} µs (+${(c.cpu1Us - b.cpu1Us).toFixed(0)} µs)`,
    );
  }
  // The stage totals are written when the gateway exits.
  await new Promise((resolve) => {
    bastion.once('exit', resolve);
    bastion.kill('SIGTERM');
  });
  printStages(JSON.parse(readFileSync(stagesFile, 'utf8')));
  console.log(
    `bastion RSS: ${idleRss.toFixed(0)} MiB idle at start, ${peakRss.toFixed(0)} MiB peak under load, ` +
      `${streams.rss.toFixed(0)} MiB with ${OPEN_STREAMS - streams.failed} open streams` +
      (streams.failed > 0 ? ` (${streams.failed} refused)` : ''),
  );
}

/** One row per mode and target: the median of each figure over the rounds. */
function medians(runs) {
  const rows = [];
  for (const run of runs) {
    if (rows.some((r) => r.mode === run.mode && r.target === run.target)) continue;
    const same = runs.filter((r) => r.mode === run.mode && r.target === run.target);
    const median = (field) => {
      const values = same.map((r) => r[field]).sort((x, y) => x - y);
      const mid = Math.floor(values.length / 2);
      return values.length % 2 === 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    };
    rows.push({
      mode: run.mode,
      target: run.target,
      ...Object.fromEntries(
        [
          'p50us',
          'p99us',
          'firstByteP50us',
          'cpu1Us',
          'rps',
          'p99ms',
          'cpuPerReqUs',
          'coreUse',
        ].map((f) => [f, median(f)]),
      ),
    });
  }
  return rows;
}

/** Each round's req/s and CPU ratios to the floor, and its added p50, for one mode. */
function roundRatios(runs, mode) {
  const parts = [];
  for (let round = 0; round < ROUNDS; round++) {
    const [b, c, d] = ['bare proxy', 'bastion', 'no guard'].map((t) =>
      runs.find((r) => r.round === round && r.mode === mode && r.target === t),
    );
    parts.push(
      `c/b ${(c.rps / b.rps).toFixed(2)} no-guard/b ${(d.rps / b.rps).toFixed(2)} CPU ${(c.cpuPerReqUs / b.cpuPerReqUs).toFixed(2)}x/${(d.cpuPerReqUs / b.cpuPerReqUs).toFixed(2)}x +${((c.p50us - b.p50us) / 1000).toFixed(3)} ms`,
    );
  }
  return parts.join(' | ');
}

/** Wall time per call of each stage (awaited stages include what they wait for). */
function printStages(totals) {
  const rows = Object.entries(totals).filter(([, t]) => t.calls > 0);
  // Shares are of the gateway's own stages: upstream is mostly the provider's time.
  const sum = rows.reduce((n, [name, t]) => (name === 'upstream' ? n : n + t.ms), 0);
  console.log(
    `\nbastion per stage, every request of the run after the first ${WARMUP_REQUESTS} (wall time; upstream includes the provider):`,
  );
  for (const [name, t] of rows.sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(
      `  ${name.padEnd(20)} ${`${((t.ms * 1000) / t.calls).toFixed(1)} µs/call`.padStart(16)} ${(name === 'upstream' ? '' : `${((100 * t.ms) / sum).toFixed(1)} %`).padStart(8)}  (${t.calls} calls)`,
    );
  }
  console.log('');
}

async function components() {
  for (const file of [
    'scan.js',
    'guard.js',
    'stream-guard.js',
    'tokens.js',
    'policy.js',
    'cidr.js',
    'linearity.js',
    'limits-redis.js',
    'upstream.js',
    'tracing.js',
    'anomaly.js',
    'audit-chain.js',
    'audit-durability.js',
    'first-token.js',
  ]) {
    const path = join(ROOT, 'bench', file);
    if (!existsSync(path)) continue;
    console.log(`\n== bench/${file}`);
    await new Promise((resolve) =>
      spawn(process.execPath, [path], { stdio: 'inherit' }).once('exit', resolve),
    );
  }
}

try {
  await main();
} finally {
  stopAll();
}
if (process.env.BENCH_ONLY_GATEWAY !== '1') await components();
