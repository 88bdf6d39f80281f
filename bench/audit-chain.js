// The cost of chaining audit records, paid by the audit writer at flush (never per request):
// linking one record (canonical encoding + SHA-256 or HMAC-SHA-256), and for scale, appending
// the same batches to a SQLite file with and without the chain columns filled.
// Run after `npm run build`:  node bench/audit-chain.js   (BENCH_AUDIT_RECORDS, default 50000)
import console from 'node:console';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { createAuditChain, createChainHasher } from '../dist/pipeline/audit/chain.js';
import { createSqliteStore } from '../dist/store/sqlite/sqlite-store.js';

const RECORDS = Number(process.env.BENCH_AUDIT_RECORDS ?? 50_000);
const BATCH = 500;

function record(n) {
  return {
    requestId: `req_${n.toString(36)}abcdefghijkl`,
    timeMs: 1_700_000_000_000 + n,
    keyId: 'key_Ab3dE9xZ0123456789ab',
    keyPrefix: 'bk_prod_Ab3dE9xZ',
    env: 'prod',
    endpoint: '/v1/chat/completions',
    model: 'gpt-4o-mini',
    provider: 'openai',
    upstreamKeyLabel: 'openai-primary',
    status: 200,
    errorCode: null,
    promptTokens: 812,
    completionTokens: 164,
    latencyMs: 412.318,
    upstreamLatencyMs: 398.004,
    clientIp: '203.0.113.7',
    isStream: true,
    decisions: [{ stage: 'guard_pii', action: 'redact', type: 'email', count: 1 }],
    costMicroUsd: 221,
    userId: 'user_42',
    team: 'checkout',
  };
}

const records = Array.from({ length: RECORDS }, (_, i) => record(i));

function linkCost(label, hash) {
  const chain = createAuditChain({ hash });
  for (let i = 0; i < 5_000; i++) chain.link(records[i % RECORDS]); // warm-up
  const started = process.hrtime.bigint();
  for (const r of records) chain.link(r);
  const us = Number(process.hrtime.bigint() - started) / 1e3 / RECORDS;
  console.log(`audit chain: link ${label}: ${us.toFixed(2)} us/record`);
}

async function appendCost(label, batches) {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-bench-audit-'));
  const store = createSqliteStore({ path: join(dir, 'bench.db') });
  await store.migrate();
  const started = process.hrtime.bigint();
  for (const batch of batches()) await store.appendAudit(batch);
  const us = Number(process.hrtime.bigint() - started) / 1e3 / RECORDS;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`audit chain: sqlite append ${label}: ${us.toFixed(2)} us/record`);
}

function* plainBatches() {
  for (let i = 0; i < RECORDS; i += BATCH) yield records.slice(i, i + BATCH);
}

function* chainedBatches() {
  const chain = createAuditChain({ hash: createChainHasher(Buffer.alloc(32, 7)) });
  for (let i = 0; i < RECORDS; i += BATCH) yield records.slice(i, i + BATCH).map(chain.link);
}

linkCost('sha-256', createChainHasher(undefined));
linkCost('hmac-sha-256', createChainHasher(Buffer.alloc(32, 7)));
await appendCost('unchained', plainBatches);
await appendCost('chained (hmac, linking included)', chainedBatches);
