// audit.durability: what each mode costs a request, as ratios to `batched` in the same run.
// One `bastion serve` per mode (SQLite; and Postgres when BENCH_AUDIT_POSTGRES=1, on
// DATABASE_URL), the same mock provider, autocannon at 20 connections. Rounds alternate the
// modes so machine load drifts across all of them alike.
// Run after `npm run build`:  node bench/audit-durability.js
//   BENCH_AUDIT_SECONDS (default 5), BENCH_AUDIT_ROUNDS (default 2)
import autocannon from 'autocannon';
import { spawnSync } from 'node:child_process';
import console from 'node:console';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { freePort, spawnReady, stopAll } from './processes.js';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/index.js');
const SECONDS = Number(process.env.BENCH_AUDIT_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_AUDIT_ROUNDS ?? 2);
const MODES = ['batched', 'spooled', 'sync'];
const UPSTREAM_KEY = 'sk-bench-upstream';
const BODY = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Summarise the plot of Hamlet in two sentences.' }],
});

function storeConfig(kind, dir, mode) {
  if (kind === 'sqlite') return `stores:\n  sqlite:\n    path: ${join(dir, `${mode}.db`)}\n`;
  const schema = `bench_durability_${mode}_${process.pid}`;
  return `stores:\n  kind: postgres\n  postgres:\n    url: env:DATABASE_URL\n    schema: ${schema}\n`;
}

async function startGateway(kind, mode, dir, mockUrl) {
  const port = await freePort();
  const config = join(dir, `${kind}-${mode}.yaml`);
  writeFileSync(
    config,
    `server:\n  port: ${port}\ncontrolPlane:\n  enabled: false\nlog:\n  level: info\n` +
      storeConfig(kind, dir, mode) +
      `audit:\n  durability: ${mode}\n  spoolPath: ${join(dir, `${kind}-${mode}.spool`)}\n` +
      `providers:\n  openai:\n    kind: openai\n    baseUrl: ${mockUrl}\n    apiKey: env:BENCH_UPSTREAM_KEY\n` +
      'policy:\n  environments:\n    prod:\n      keyDefaults: {}\n' +
      // The content guard is off: the ratios are the audit path's own cost.
      'guard:\n  enabled: false\n',
  );
  const env = { ...process.env, BASTION_CONFIG: config, BENCH_UPSTREAM_KEY: UPSTREAM_KEY };
  const created = spawnSync(
    process.execPath,
    [CLI, 'keys', 'create', '--name', 'bench', '--env', 'prod', '--json'],
    { env, encoding: 'utf8' },
  );
  if (created.status !== 0) throw new Error(`keys create: ${created.stderr}`);
  const { key } = JSON.parse(created.stdout);
  const { child } = await spawnReady([CLI, 'serve'], env, /gateway_started/);
  return { child, url: `http://127.0.0.1:${port}/v1/chat/completions`, key };
}

async function measure(gateway) {
  const result = await autocannon({
    url: gateway.url,
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.key}`, 'content-type': 'application/json' },
    body: BODY,
    connections: 20,
    duration: SECONDS,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

async function main() {
  const mockPort = await freePort();
  await spawnReady(
    [CLI, 'mock-provider', '--port', String(mockPort), '--api-key', UPSTREAM_KEY],
    {},
    /listening/,
  );
  const mockUrl = `http://127.0.0.1:${mockPort}`;
  const dir = mkdtempSync(join(tmpdir(), 'bastion-bench-durability-'));
  const kinds = process.env.BENCH_AUDIT_POSTGRES === '1' ? ['sqlite', 'postgres'] : ['sqlite'];
  for (const kind of kinds) {
    const gateways = {};
    for (const mode of MODES) gateways[mode] = await startGateway(kind, mode, dir, mockUrl);
    const sums = Object.fromEntries(MODES.map((m) => [m, { rps: 0, p50: 0, p99: 0 }]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of MODES) {
        const r = await measure(gateways[mode]);
        for (const f of ['rps', 'p50', 'p99']) sums[mode][f] += r[f] / ROUNDS;
      }
    }
    for (const mode of MODES) gateways[mode].child.kill('SIGTERM');
    const base = sums.batched;
    for (const mode of MODES) {
      const s = sums[mode];
      console.log(
        `audit durability ${kind} ${mode.padEnd(7)}: ${s.rps.toFixed(0)} req/s (x${(s.rps / base.rps).toFixed(2)} of batched), ` +
          `p50 ${s.p50.toFixed(1)} ms (x${(s.p50 / base.p50).toFixed(2)}), p99 ${s.p99.toFixed(1)} ms (x${(s.p99 / base.p99).toFixed(2)})`,
      );
    }
  }
}

try {
  await main();
} finally {
  stopAll();
}
