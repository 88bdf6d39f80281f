// The content guard's cost, in process, per KB of prompt: the five input stages (normalise,
// secrets, injection, PII, system prompt) and the output filter on a reply of the same size,
// at p50 and p99 over realistic prompts; then each detector on 1 MB adversarial inputs
// (and 256 KB, to show the time grows linearly). Target: < 0.2 ms per KB at p50, whole guard.
// Run after `npm run build`:  node bench/guard.js   (BENCH_GUARD_ITERATIONS, default 2000)
import console from 'node:console';
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../dist/config/load.js';
import { createInjectionDetector } from '../dist/detect/injection/index.js';
import { createRuleScanner } from '../dist/detect/injection/rules-scan.js';
import { createPiiDetector } from '../dist/detect/pii/index.js';
import { createSecretDetector } from '../dist/detect/secrets/index.js';
import { stripHtml } from '../dist/detect/text/html.js';
import { stripInvisible } from '../dist/detect/text/invisible.js';
import { createGuardStages } from '../dist/pipeline/guard/build.js';
import { createLogger } from '../dist/log/logger.js';
import { runStages } from '../dist/pipeline/run.js';
import { systemClock } from '../dist/util/clock.js';

const ITERATIONS = Number(process.env.BENCH_GUARD_ITERATIONS ?? 2_000);
const log = createLogger({ level: 'silent' });
const { config } = loadConfig({
  env: {},
  overrides: { guard: { systemPrompt: { managed: { 'gpt-4o-mini': 'You are a support bot.' } } } },
});
const guard = createGuardStages(config.guard);
const input = [
  'guard_normalize',
  'guard_secrets',
  'guard_injection',
  'guard_pii',
  'guard_system_prompt',
].map((n) => guard[n]);

// Realistic prompt text: support mail, code, a log excerpt; some PII, no secrets.
const SENTENCES = [
  'Hi team, my order 48213 has not arrived yet and the tracking page shows no update since Monday.',
  'Could you check why the nightly export job fails with a timeout after about twenty minutes?',
  'Please summarise the following meeting notes in three bullet points for the weekly report.',
  'The function below should parse the CSV header and return the column indexes in order.',
  'function parse(line) { return line.split(",").map((s) => s.trim()).filter(Boolean); }',
  '2024-05-01T10:22:13Z INFO request served in 182 ms status=200 path=/api/orders',
  'You can reach me at maria.lopez@example.com or on +44 20 7946 0958 during office hours.',
  'Dear Mr. Thompson, thank you for your patience while we investigate the billing issue.',
  'The quarterly numbers improved by 4.2 percent, mostly thanks to lower shipping costs.',
  'Translate this paragraph into German and keep the product names in English, please.',
  'Our server at 203.0.113.7 restarted twice last night; the logs mention memory pressure.',
  'I would like a refund to my card ending 4242, or a voucher if that is easier for you.',
];
function promptOf(bytes, seed) {
  let text = '';
  for (let i = seed; text.length < bytes; i++) text += `${SENTENCES[i % SENTENCES.length]} `;
  return text.slice(0, bytes);
}

function context(text) {
  const body = {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'Answer briefly.' },
      { role: 'user', content: text },
    ],
  };
  return {
    reqId: 'req_bench',
    route: { id: 'chat_completions', dialect: 'openai' },
    clock: systemClock,
    signal: new globalThis.AbortController().signal,
    log,
    headers: {},
    clientIp: '127.0.0.1',
    startedAtMs: 0,
    startedMono: 0,
    readBody: async () => Buffer.alloc(0),
    defer: () => undefined,
    caller: { key: undefined, env: 'prod', user: undefined },
    rawBody: undefined,
    body,
    isStream: false,
    target: undefined,
    response: undefined,
    usage: undefined,
    upstreamLatencyMs: undefined,
    decisions: [],
    policy: undefined,
    guard: undefined,
    costMicroUsd: undefined,
    responseHeaders: {},
    outcome: { status: 0, errorCode: null },
  };
}

function replyOf(text) {
  return {
    kind: 'json',
    status: 200,
    body: Buffer.from(
      JSON.stringify({
        id: 'chatcmpl-bench',
        object: 'chat.completion',
        choices: [
          { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' },
        ],
      }),
    ),
  };
}

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function measure(bytes, isPrinted = true) {
  const inputMs = [];
  const outputMs = [];
  for (let i = 0; i < ITERATIONS + 200; i++) {
    const ctx = context(promptOf(bytes, i));
    const t0 = performance.now();
    const verdict = await runStages(input, ctx);
    const t1 = performance.now();
    if (verdict !== undefined) throw new Error(`refused: ${verdict.code}`);
    ctx.response = replyOf(`Mock reply: ${ctx.body.messages.at(-1).content}`);
    const t2 = performance.now();
    guard.guard_output.run(ctx);
    const t3 = performance.now();
    if (i >= 200) {
      inputMs.push(t1 - t0);
      outputMs.push(t3 - t2);
    }
  }
  const kb = bytes / 1024;
  const row = (name, xs) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return `${name.padEnd(22)} ${String(bytes).padStart(7)} B   p50 ${(pct(sorted, 50) / kb).toFixed(4)} ms/KB   p99 ${(pct(sorted, 99) / kb).toFixed(4)} ms/KB   (p50 ${pct(sorted, 50).toFixed(3)} ms)`;
  };
  if (!isPrinted) return;
  const total = inputMs.map((x, i) => x + outputMs[i]);
  console.log(row('input guard', inputMs));
  console.log(row('output guard', outputMs));
  console.log(row('whole guard', total));
}

// Steady state, as a long-running gateway sees it: one unprinted pass over the smaller sizes
// first, so the first printed row does not carry the JIT's warm-up.
for (const bytes of [512, 2048, 8192]) await measure(bytes, false);
console.log(
  `guard cost per KB, ${ITERATIONS} prompts per size after a warm-up pass (realistic text, default policy + managed prompt)`,
);
for (const bytes of [512, 2048, 8192, 32768]) await measure(bytes);

// The injection screen alone: its phrase rules, and rules plus the learned scorer (what the
// guard runs), on the same realistic text, so the model's share is visible beside the floor.
{
  const rulesOnly = createRuleScanner();
  const full = createInjectionDetector();
  console.log('\ninjection screen alone, p50 per KB     rules only   rules + learned model');
  for (const bytes of [2048, 32768]) {
    const p50 = (fn) => {
      const xs = [];
      for (let i = 0; i < 300; i++) {
        const text = promptOf(bytes, i);
        const t = performance.now();
        fn(text);
        xs.push(performance.now() - t);
      }
      return (
        pct(
          xs.sort((a, b) => a - b),
          50,
        ) /
        (bytes / 1024)
      );
    };
    const r = p50((t) => rulesOnly.scan(t));
    const m = p50((t) => full.scan(t));
    console.log(
      `${String(bytes).padStart(7)} B ${r.toFixed(4).padStart(24)} ms/KB ${m.toFixed(4).padStart(14)} ms/KB`,
    );
  }
}

// Adversarial inputs: the time must grow linearly (1 MB ≈ 4 × 256 KB).
const fill = (unit, size) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
const detectors = {
  email: [createPiiDetector({ types: ['email'] }), (d, t) => d.find(t), 'a.b@c-'],
  phone: [createPiiDetector({ types: ['phone'] }), (d, t) => d.find(t), 'call 1 '],
  card: [createPiiDetector({ types: ['card'] }), (d, t) => d.find(t), '41 '],
  iban: [createPiiDetector({ types: ['iban'] }), (d, t) => d.find(t), 'DE89 '],
  ssn: [createPiiDetector({ types: ['ssn'] }), (d, t) => d.find(t), '123-45-'],
  ip: [createPiiDetector({ types: ['ip'] }), (d, t) => d.find(t), '1.1.1.'],
  name: [createPiiDetector({ types: ['name'] }), (d, t) => d.find(t), 'Dear Anna '],
  secrets: [createSecretDetector(), (d, t) => d.find(t), 'sk-proj-a token=x '],
  injection: [createInjectionDetector(), (d, t) => d.scan(t), 'ignore previous '],
  invisible: [undefined, (_d, t) => stripInvisible(t), 'a\u200b'],
  html: [undefined, (_d, t) => stripHtml(t), '<a b="'],
};
console.log('\nadversarial inputs (one pattern repeated)   256 KB     1 MB    ratio');
for (const [name, [detector, run, unit]] of Object.entries(detectors)) {
  // Median of three runs: one run alone is at the mercy of a garbage collection.
  const time = (size) => {
    const text = fill(unit, size);
    const runs = [0, 1, 2].map(() => {
      const t = performance.now();
      run(detector, text);
      return performance.now() - t;
    });
    return runs.sort((a, b) => a - b)[1];
  };
  time(64 * 1024);
  const small = time(256 * 1024);
  const large = time(1024 * 1024);
  console.log(
    `${name.padEnd(12)} ${JSON.stringify(unit).padEnd(22)} ${small.toFixed(1).padStart(8)} ms ${large.toFixed(1).padStart(8)} ms  ${(large / small).toFixed(1).padStart(5)}×`,
  );
}
