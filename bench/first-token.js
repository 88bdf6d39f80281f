// Time to the first content byte of a streamed chat answer: directly from the mock provider
// vs through a spawned `bastion serve` (output guard on, default policy), sequential requests
// on one keep-alive connection each. The answer is plain prose, so no detector is pending:
// the guard releases each word as soon as the next one starts. Target: within 1 ms of direct.
// Run after `npm run build`:  node bench/first-token.js   (BENCH_FIRST_TOKEN_REQUESTS, default 2000)
import console from 'node:console';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { Client } from 'undici';
import { freePort, spawnReady as run, stopAll } from './processes.js';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/index.js');
const REQUESTS = Number(process.env.BENCH_FIRST_TOKEN_REQUESTS ?? 2_000);
const WARMUP = 200;
const KEY = 'sk-bench-first-token';

/** Milliseconds from sending the request to the first SSE event with assistant text. */
async function firstContent(client, headers, body) {
  const started = performance.now();
  const res = await client.request({ method: 'POST', path: '/v1/chat/completions', headers, body });
  let seen = '';
  let at;
  for await (const chunk of res.body) {
    if (at !== undefined) continue;
    seen += chunk.toString();
    if (/"content":"[^"]/.test(seen)) at = performance.now() - started;
  }
  // A non-streamed reply: its content arrives with the whole body.
  if (at === undefined && seen.includes('"content":"')) at = performance.now() - started;
  if (at === undefined) throw new Error(`no content in: ${seen.slice(0, 300)}`);
  return { at, end: performance.now() - started };
}

async function measure(origin, headers, body) {
  const client = new Client(origin, { pipelining: 1 });
  const samples = [];
  const ends = [];
  for (let i = 0; i < REQUESTS + WARMUP; i++) {
    const { at, end } = await firstContent(client, headers, body);
    if (i >= WARMUP) samples.push(at);
    if (i >= WARMUP) ends.push(end);
  }
  await client.close();
  samples.sort((a, b) => a - b);
  ends.sort((a, b) => a - b);
  const q = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99), end50: ends[Math.floor(ends.length / 2)] };
}

async function main() {
  const [mockPort, port, controlPort] = await Promise.all([freePort(), freePort(), freePort()]);
  await run([CLI, 'mock-provider', '--port', String(mockPort), '--api-key', KEY], {}, /listening/);
  const mockUrl = `http://127.0.0.1:${mockPort}`;
  const dir = mkdtempSync(join(tmpdir(), 'bastion-bench-ttft-'));
  writeFileSync(
    join(dir, 'bastion.yaml'),
    `server:\n  port: ${port}\ncontrolPlane:\n  port: ${controlPort}\nlog:\n  level: info\n` +
      `stores:\n  sqlite:\n    path: ${join(dir, 'bastion.db')}\n` +
      `providers:\n  openai:\n    kind: openai\n    baseUrl: ${mockUrl}\n    apiKey: env:BENCH_KEY\n` +
      (process.env.BENCH_GUARD_OFF === '1' ? 'guard:\n  output:\n    enabled: false\n' : ''),
  );
  const env = { BASTION_CONFIG: join(dir, 'bastion.yaml'), BENCH_KEY: KEY };
  const limits = ['--rps', '1000000', '--rpm', '1000000000', '--concurrency', '1000'];
  const keyArgs = [CLI, 'keys', 'create', '--name', 'ttft', '--env', 'prod', '--json', ...limits];
  const created = await run(keyArgs, env, /"key"/);
  const virtualKey = JSON.parse(created.out).key;
  await run([CLI, 'serve'], env, /gateway_started/);

  const body = JSON.stringify({
    model: 'gpt-4o-mini',
    stream: true,
    messages: [{ role: 'user', content: 'Tell me a short story about a lighthouse keeper.' }],
  });
  const json = { 'content-type': 'application/json' };
  const direct = await measure(mockUrl, { ...json, authorization: `Bearer ${KEY}` }, body);
  const origin = `http://127.0.0.1:${port}`;
  const auth = { ...json, authorization: `Bearer ${virtualKey}` };
  const gateway = await measure(origin, auth, body);
  // The same request not streamed: what the gateway adds to any request on this machine now.
  const plain = body.replace('"stream":true', '"stream":false');
  const directPlain = await measure(mockUrl, { ...json, authorization: `Bearer ${KEY}` }, plain);
  const gatewayPlain = await measure(origin, auth, plain);
  const fmt = (r) =>
    `p50 ${r.p50.toFixed(3)} ms  p90 ${r.p90.toFixed(3)} ms  p99 ${r.p99.toFixed(3)} ms` +
    `  (whole stream p50 ${r.end50.toFixed(3)} ms)`;
  console.log(
    `time to first content byte, ${REQUESTS} sequential streams each, node ${process.version}`,
  );
  console.log(`  direct   ${fmt(direct)}`);
  console.log(`  bastion  ${fmt(gateway)}`);
  console.log(`  bastion adds ${(gateway.p50 - direct.p50).toFixed(3)} ms at p50 (target < 1 ms)`);
  console.log(
    `  not streamed, for reference: bastion adds ${(gatewayPlain.p50 - directPlain.p50).toFixed(3)} ms at p50`,
  );
}

try {
  await main();
} finally {
  stopAll();
}
