// CPU per request of what every request costs in authentication, metrics and the audit path,
// without HTTP: the virtual-key lookup (SQLite, cached), metrics.record, and the audit writer in
// its default mode (spooled: chain link, spool append + fdatasync every 25 ms, batched SQLite
// inserts). Requests come in groups per event-loop turn, as under load. CPU is the process's
// (libuv's thread pool included), so it holds on a shared machine better than wall time.
// Run after `npm run build`:  node bench/audit-path.js
//   BENCH_AUDIT_PATH_REQUESTS (default 60000), BENCH_AUDIT_PATH_PER_TURN (default 8)
import console from 'node:console';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { setImmediate } from 'node:timers';
import { createAuditChain, createChainHasher } from '../dist/pipeline/audit/chain.js';
import { openAuditSpool } from '../dist/pipeline/audit/spool.js';
import { createAuditWriter } from '../dist/pipeline/audit/writer.js';
import { createAuthenticateStage } from '../dist/pipeline/auth/authenticate.js';
import { issueVirtualKey } from '../dist/pipeline/auth/virtual-key.js';
import { createSqliteStore } from '../dist/store/sqlite/sqlite-store.js';
import { createMetrics } from '../dist/telemetry/metrics.js';

const REQUESTS = Number(process.env.BENCH_AUDIT_PATH_REQUESTS ?? 60_000);
const PER_TURN = Number(process.env.BENCH_AUDIT_PATH_PER_TURN ?? 8);

const dir = mkdtempSync(join(tmpdir(), 'bastion-bench-audit-path-'));
const store = createSqliteStore({ path: join(dir, 'bench.db') });
await store.migrate();
const issued = issueVirtualKey({ name: 'bench', env: 'prod', nowMs: Date.now() });
await store.insertKey(issued.record);
const { spool } = await openAuditSpool(join(dir, 'spool'));
const log = { info() {}, warn() {}, error() {}, debug() {}, child: () => log };
const clock = { now: () => Date.now(), monotonicMs: () => performance.now() };
const writer = createAuditWriter(
  { store, log, chain: createAuditChain({ hash: createChainHasher(undefined) }), spool, clock },
  {
    flushIntervalMs: 250,
    batchSize: 500,
    maxQueue: 100_000,
    chainHeadLogIntervalMs: 60_000,
    durability: 'spooled',
    spoolIntervalMs: 25,
  },
);
const metrics = createMetrics({
  providers: new Map(),
  clock,
  auditQueued: () => writer.queued,
  modelLabel: (model) => model,
});
const authenticate = createAuthenticateStage({ keys: store });
const headers = { authorization: `Bearer ${issued.secret}` };

let n = 0;
function record() {
  n += 1;
  return {
    requestId: `req_${n.toString(36)}abcdefghijkl`,
    timeMs: Date.now(),
    keyId: issued.record.id,
    keyPrefix: issued.record.prefix,
    env: 'prod',
    endpoint: '/v1/chat/completions',
    model: 'gpt-4o-mini',
    provider: 'openai',
    upstreamKeyLabel: 'openai-primary',
    status: 200,
    errorCode: null,
    promptTokens: 812,
    completionTokens: 164,
    latencyMs: 2.318 + (n % 100) / 7,
    upstreamLatencyMs: 1.004 + (n % 50) / 3,
    clientIp: '127.0.0.1',
    isStream: false,
    decisions: n % 4 === 0 ? [{ stage: 'rate_limit', action: 'warn', type: 'rpm', count: 1 }] : [],
    costMicroUsd: 221,
    userId: null,
    team: null,
  };
}

async function run(count) {
  for (let done = 0; done < count; done += PER_TURN) {
    for (let i = 0; i < PER_TURN; i++) {
      let verdict = authenticate.run({ headers, clock });
      if (verdict instanceof Promise) verdict = await verdict;
      if (verdict !== undefined) throw verdict;
      const r = record();
      metrics.record(r);
      writer.write(r);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  await writer.flushQueued();
}

await run(5_000);
const before = process.cpuUsage();
await run(REQUESTS);
const cpu = process.cpuUsage(before);
const us = (cpu.user + cpu.system) / REQUESTS;
console.log(
  `audit path: ${us.toFixed(2)} µs CPU per request (${PER_TURN} per event-loop turn, ` +
    `${REQUESTS} requests; authenticate + metrics + spooled audit on SQLite)`,
);
await writer.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
