// Audit at scale (issue 16): N chained audit rows (default 10 million) in SQLite and in
// PostgreSQL, then
//   - request latency (p50/p99, sequential requests) through two gateways, same config, one on
//     an empty store and one on the full one, in alternating rounds;
//   - `bastion audit verify` (whole log; again with the heap capped at 40 MB; --since the last
//     1 %): time and peak RSS;
//   - retention round trip: `audit archive --before` half the rows, `audit verify --archive` the
//     file, then `audit verify` of what is left (each chain continues from its cut).
// Not in CI and not in `npm run bench` (10 M rows take long): run it on purpose, after
// `npm run build`:
//   node bench/audit-scale.js
//   BASTION_BENCH_AUDIT_ROWS (default 10000000)  BASTION_BENCH_AUDIT_CHAINS (default 4)
//   BASTION_BENCH_AUDIT_STORES (default sqlite,postgres; Postgres on DATABASE_URL, own schema)
//   BASTION_BENCH_AUDIT_REQUESTS (default 1000 per latency round; 3 rounds alternate the gateways)
// The rows are written straight into the table (indexes dropped during the fill and rebuilt,
// as a restore would), chained and hashed with the gateway's own chain module under a chain
// key, so verify checks real HMAC chains. Peak RSS is the child's own getrusage maxRSS.
//
// Measured 2026-12-06 at 1,000,000 rows, 4 chains, on a shared 2-core machine (load average
// 17 falling to 10 during the run: absolute times are several times an idle machine's, ratios
// within one run are what to read). The 10 M-row run (load 2-4) is in docs/audit.md.
//                               SQLite              PostgreSQL
//   fill (bulk, indexes after)  220 s               84 s
//   gateway start empty / full  7.9 s / 8.6 s       2.0 s / 2.5 s
//   latency p50 empty / full    3.64 / 1.87 ms      1.17 / 1.18 ms (x1.01)
//   latency p99 empty / full    78.0 / 77.4 ms      20.2 / 23.4 ms (x1.16)
//   verify 1,003,300 rows       102 s, 218 MiB      58 s, 178 MiB
//   same, heap capped at 40 MB  108 s, 132 MiB      126 s, 107 MiB
//   verify --since last 1 %     3.6 s, 122 MiB      2.3 s, 114 MiB
//   archive 500,000 rows        99 s, 177 MiB       70 s, 166 MiB
//   verify --archive            9.7 s, 107 MiB      13.9 s, 105 MiB
//   verify the 503,300 left     20 s, 215 MiB       23 s, 178 MiB
// Latency on the full table is the empty table's within the noise of the machine (the SQLite
// p50 halved between rounds: load, not the table). Peak RSS is V8 sizing its heap to the
// allocation rate, not rows held: the live heap after a full GC stays 15-20 MB, the same as at
// 200,000 rows (214 MiB there), and a 40 MB heap cap finishes the same walk.
import { spawn } from 'node:child_process';
import console from 'node:console';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Client } from 'undici';
import { createAuditChain } from '../dist/pipeline/audit/chain.js';
import { createChainKeyring } from '../dist/pipeline/audit/chain-key.js';
import { auditColumnArrays } from '../dist/store/postgres/rows.js';
import { auditParams } from '../dist/store/sqlite/rows.js';
import { AUDIT_COLUMNS, CHAIN_COLUMNS } from '../dist/store/sqlite/statements.js';
import { freePort, spawnReady, stopAll } from './processes.js';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/index.js');
const ROWS = Number(process.env.BASTION_BENCH_AUDIT_ROWS ?? 10_000_000);
const CHAINS = Number(process.env.BASTION_BENCH_AUDIT_CHAINS ?? 4);
const STORES = (process.env.BASTION_BENCH_AUDIT_STORES ?? 'sqlite,postgres').split(',');
const REQUESTS = Number(process.env.BASTION_BENCH_AUDIT_REQUESTS ?? 1000);
const ROUNDS = 3;
const UPSTREAM_KEY = 'sk-bench-upstream';
const CHAIN_KEY = 'bench-audit-scale-chain-key-0123456789abcdef'; // bastion:allow test canary
const DAY_MS = 86_400_000;
// The rows span 30 days ending an hour ago, evenly.
const END_MS = Date.now() - 3_600_000;
const START_MS = END_MS - 30 * DAY_MS;
const BODY = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Summarise the plot of Hamlet in two sentences.' }],
});
// Prints the child's peak RSS on exit: the CLI is measured as it runs, nothing added to it.
const RSS_HOOK =
  'data:text/javascript,process.on("exit",()=>process.stderr.write(' +
  '`bench_max_rss_kb=${process.resourceUsage().maxRSS}\\n`))';

function record(i) {
  return {
    requestId: `req_${i.toString(36).padStart(10, '0')}`,
    timeMs: START_MS + Math.floor((i * (END_MS - START_MS)) / ROWS),
    keyId: `key_${(i % 97).toString(36)}bench`,
    keyPrefix: 'bk_prod_Ab3dE9xZ',
    env: 'prod',
    endpoint: '/v1/chat/completions',
    model: i % 3 === 0 ? 'gpt-4o' : 'gpt-4o-mini',
    provider: 'openai',
    upstreamKeyLabel: 'openai-primary',
    status: i % 50 === 0 ? 429 : 200,
    errorCode: i % 50 === 0 ? 'rate_limit_exceeded' : null,
    promptTokens: 800 + (i % 100),
    completionTokens: 160 + (i % 40),
    latencyMs: 412.318,
    upstreamLatencyMs: 398.004,
    clientIp: '203.0.113.7',
    isStream: i % 2 === 0,
    decisions:
      i % 10 === 0 ? [{ stage: 'guard_pii', action: 'redact', type: 'email', count: 1 }] : [],
    costMicroUsd: 221,
    userId: null,
    team: 'checkout',
  };
}

/** Yields batches of linked rows, round-robin over CHAINS chains, in time order. */
function* linkedBatches(size) {
  const keyring = createChainKeyring(Buffer.from(CHAIN_KEY, 'utf8'), []);
  const chains = Array.from({ length: CHAINS }, () =>
    createAuditChain({ hash: keyring.current, keyId: keyring.currentKeyId }),
  );
  let batch = [];
  for (let i = 0; i < ROWS; i++) {
    batch.push(chains[i % CHAINS].link(record(i)));
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

async function fillSqlite(path) {
  const db = new Database(path);
  db.pragma('synchronous = OFF');
  const indexes = db
    .prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_log' AND sql IS NOT NULL",
    )
    .all();
  for (const i of indexes) db.exec(`DROP INDEX ${i.name}`);
  const columns = `${AUDIT_COLUMNS}, ${CHAIN_COLUMNS}`;
  const insert = db.prepare(
    `INSERT INTO audit_log (${columns}) VALUES (${columns.split(',').fill('?').join(', ')})`,
  );
  const many = db.transaction((rows) => {
    for (const r of rows) insert.run(...auditParams(r));
  });
  for (const batch of linkedBatches(20_000)) many(batch);
  for (const i of indexes) db.exec(i.sql);
  db.exec('ANALYZE');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

async function fillPostgres(schema) {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  await client.query(`SET search_path TO ${schema}`);
  const { rows: indexes } = await client.query(
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'audit_log' AND indexname <> 'audit_log_pkey'",
    [schema],
  );
  for (const i of indexes) await client.query(`DROP INDEX ${schema}.${i.indexname}`);
  const columns = `${AUDIT_COLUMNS}, ${CHAIN_COLUMNS}`;
  const types = (
    await client.query(
      `SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = '${schema}.audit_log'::regclass AND attname = ANY($1) ORDER BY array_position($1, attname::text)`,
      [columns.split(', ')],
    )
  ).rows.map((r) => r.t);
  const text =
    `INSERT INTO audit_log (${columns}) SELECT * FROM unnest(` +
    types.map((t, i) => `$${i + 1}::${t}[]`).join(', ') +
    ')';
  for (const batch of linkedBatches(20_000)) {
    await client.query({ text, values: auditColumnArrays(batch) });
  }
  for (const i of indexes) await client.query(i.indexdef);
  await client.query('ANALYZE audit_log');
  await client.end();
}

function runCli(args, env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--import', RSS_HOOK, CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('error', reject);
    child.once('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const kb = Number(/bench_max_rss_kb=(\d+)/.exec(stderr)?.[1] ?? NaN);
      resolve({ code, stdout, stderr, seconds, rssMiB: kb / 1024 });
    });
  });
}

async function latency(url, key) {
  const client = new Client(url, { pipelining: 1 });
  const samples = [];
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  for (let i = 0; i < REQUESTS + 100; i++) {
    const t0 = process.hrtime.bigint();
    const res = await client.request({
      method: 'POST',
      path: '/v1/chat/completions',
      headers,
      body: BODY,
    });
    await res.body.arrayBuffer();
    if (res.statusCode !== 200) throw new Error(`gateway: status ${res.statusCode}`);
    if (i >= 100) samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await client.close();
  samples.sort((x, y) => x - y);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { p50: at(0.5), p99: at(0.99) };
}

/** Empty and full gateways answer in alternating rounds, so load drift hits both alike. */
async function compareLatency(gateways) {
  const sums = gateways.map(() => ({ p50: 0, p99: 0 }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, g] of gateways.entries()) {
      const r = await latency(g.url, g.key);
      sums[i].p50 += r.p50 / ROUNDS;
      sums[i].p99 += r.p99 / ROUNDS;
    }
  }
  return sums;
}

/** A gateway with its own config, store and key: `empty` or `full` (the one filled). */
async function prepareGateway(kind, dir, name, mockUrl) {
  const schema = `bench_audit_scale_${name}_${process.pid}`;
  const port = await freePort();
  const config = join(dir, `${name}.yaml`);
  writeFileSync(
    config,
    `server:\n  port: ${port}\ncontrolPlane:\n  enabled: false\nlog:\n  level: info\n` +
      storeYaml(kind, join(dir, `${name}.db`), schema) +
      `audit:\n  chainKey: env:BENCH_CHAIN_KEY\n  spoolPath: ${join(dir, `${name}.spool`)}\n` +
      `providers:\n  openai:\n    kind: openai\n    baseUrl: ${mockUrl}\n    apiKey: env:BENCH_UPSTREAM_KEY\n` +
      // No per-key limits (2,000 sequential requests would meet the defaults) and no content
      // guard: the latency measured is the gateway's own path, audit write included.
      'policy:\n  environments:\n    prod:\n      keyDefaults: {}\n' +
      'guard:\n  enabled: false\n',
  );
  const env = {
    BASTION_CONFIG: config,
    BENCH_UPSTREAM_KEY: UPSTREAM_KEY,
    BENCH_CHAIN_KEY: CHAIN_KEY,
  };
  const created = await runCli(
    ['keys', 'create', '--name', 'bench', '--env', 'prod', '--json'],
    env,
  );
  if (created.code !== 0) throw new Error(`keys create: ${created.stderr}`);
  const { key } = JSON.parse(created.stdout);
  return { env, key, schema, dbPath: join(dir, `${name}.db`), url: `http://127.0.0.1:${port}` };
}

/** Starts the gateway; returns seconds to `gateway_started` (start reads the month's spend). */
async function startGateway(g) {
  const started = process.hrtime.bigint();
  g.child = (await spawnReady([CLI, 'serve'], g.env, /gateway_started/)).child;
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function stopGateway(g) {
  const exited = new Promise((resolve) => g.child.once('exit', resolve));
  g.child.kill('SIGTERM');
  await exited;
}

function storeYaml(kind, dbPath, schema) {
  return kind === 'sqlite'
    ? `stores:\n  sqlite:\n    path: ${dbPath}\n`
    : `stores:\n  kind: postgres\n  postgres:\n    url: env:DATABASE_URL\n    schema: ${schema}\n`;
}

const fmt = (r) => `${r.seconds.toFixed(1)} s, peak RSS ${r.rssMiB.toFixed(0)} MiB`;

async function benchStore(kind, mockUrl) {
  const dir = mkdtempSync(join(tmpdir(), `bastion-bench-audit-scale-${kind}-`));
  const gateways = [];
  try {
    gateways.push(await prepareGateway(kind, dir, 'empty', mockUrl));
    gateways.push(await prepareGateway(kind, dir, 'full', mockUrl));
    const [, full] = gateways;
    const { env } = full;
    const filled = process.hrtime.bigint();
    if (kind === 'sqlite') await fillSqlite(full.dbPath);
    else await fillPostgres(full.schema);
    const fillSec = Number(process.hrtime.bigint() - filled) / 1e9;
    console.log(
      `audit scale ${kind}: filled ${ROWS} rows in ${CHAINS} chains in ${fillSec.toFixed(0)} s`,
    );
    const startSec = [];
    for (const g of gateways) startSec.push(await startGateway(g));
    console.log(
      `audit scale ${kind}: gateway start empty ${startSec[0].toFixed(1)} s, full ${startSec[1].toFixed(1)} s`,
    );
    const [e, f] = await compareLatency(gateways);
    for (const g of gateways) await stopGateway(g);
    console.log(
      `audit scale ${kind}: latency (mean of ${ROUNDS} alternating rounds) empty p50 ${e.p50.toFixed(2)} ms p99 ${e.p99.toFixed(2)} ms; ` +
        `${ROWS} rows p50 ${f.p50.toFixed(2)} ms (x${(f.p50 / e.p50).toFixed(2)}) ` +
        `p99 ${f.p99.toFixed(2)} ms (x${(f.p99 / e.p99).toFixed(2)})`,
    );
    const verify = await runCli(['audit', 'verify', '--json'], env);
    const report = JSON.parse(verify.stdout);
    const verified = report.chains.reduce((n, c) => n + c.rows, 0);
    if (verify.code !== 0) throw new Error(`verify exited ${verify.code}: ${verify.stdout}`);
    console.log(
      `audit scale ${kind}: verify ${verified} rows: ${fmt(verify)} (${(verified / verify.seconds).toFixed(0)} rows/s)`,
    );
    const capped = await runCli(['audit', 'verify', '--json'], {
      ...env,
      NODE_OPTIONS: '--max-old-space-size=40',
    });
    if (capped.code !== 0) throw new Error(`verify with 40 MB of heap exited ${capped.code}`);
    console.log(`audit scale ${kind}: verify with the heap capped at 40 MB: ${fmt(capped)}`);
    const sinceIso = new Date(END_MS - 0.01 * (END_MS - START_MS)).toISOString();
    const since = await runCli(['audit', 'verify', '--json', '--since', sinceIso], env);
    const sinceRows = JSON.parse(since.stdout).chains.reduce((n, c) => n + c.rows, 0);
    console.log(`audit scale ${kind}: verify --since (last 1 %, ${sinceRows} rows): ${fmt(since)}`);
    const cutIso = new Date((START_MS + END_MS) / 2).toISOString();
    const archiveDir = join(dir, 'archive');
    const archive = await runCli(
      ['audit', 'archive', '--json', '--before', cutIso, '--dir', archiveDir],
      env,
    );
    if (archive.code !== 0) throw new Error(`archive exited ${archive.code}: ${archive.stderr}`);
    const archived = JSON.parse(archive.stdout);
    console.log(
      `audit scale ${kind}: archive ${archived.rows} rows (write, read back, delete): ${fmt(archive)}`,
    );
    const file = join(archiveDir, readdirSync(archiveDir)[0]);
    const ofArchive = await runCli(['audit', 'verify', '--json', '--archive', file], env);
    if (ofArchive.code !== 0) throw new Error(`verify --archive exited ${ofArchive.code}`);
    console.log(`audit scale ${kind}: verify --archive: ${fmt(ofArchive)}`);
    const rest = await runCli(['audit', 'verify', '--json'], env);
    if (rest.code !== 0)
      throw new Error(`verify after archive exited ${rest.code}: ${rest.stdout}`);
    const left = JSON.parse(rest.stdout).chains.reduce((n, c) => n + c.rows, 0);
    console.log(
      `audit scale ${kind}: verify of the ${left} rows left (from the cuts): ${fmt(rest)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (kind === 'postgres') {
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      for (const g of gateways) await client.query(`DROP SCHEMA IF EXISTS ${g.schema} CASCADE`);
      await client.end();
    }
  }
}

async function main() {
  const mockPort = await freePort();
  await spawnReady(
    [CLI, 'mock-provider', '--port', String(mockPort), '--api-key', UPSTREAM_KEY],
    {},
    /listening/,
  );
  const mockUrl = `http://127.0.0.1:${mockPort}`;
  console.log(`audit scale: ${ROWS} rows, ${CHAINS} chains, ${REQUESTS} requests per latency run`);
  for (const kind of STORES) await benchStore(kind, mockUrl);
}

try {
  await main();
} finally {
  stopAll();
}
