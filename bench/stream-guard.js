// The streamed reply path in process, CPU per stream: the provider tap (SSE split, event
// check, usage) and the output guard's rewrite, over a mock-shaped stream of 8-character
// deltas: OpenAI chat (a short and a long reply) and Anthropic messages. Network, HTTP and
// the rest of the pipeline are left out: this is the part that grows with the number of events.
// Run after `npm run build`:  node bench/stream-guard.js   (BENCH_STREAM_ITERATIONS, default 3000)
import console from 'node:console';
import process from 'node:process';
import { guardSchema } from '../dist/config/guard.js';
import { createPseudonymVault } from '../dist/detect/pii/index.js';
import { createArgsScanner, createOutputScanner } from '../dist/pipeline/guard/output-scan.js';
import { rewriteSseStream } from '../dist/pipeline/guard/output-stream.js';
import { createTextFilter, windowFor } from '../dist/pipeline/guard/output-text.js';
import { createGuardPolicies } from '../dist/pipeline/guard/policy.js';
import { createAnthropicStreamTap } from '../dist/providers/anthropic/stream.js';
import { createOpenAiStreamTap } from '../dist/providers/openai/stream.js';

const ITERATIONS = Number(process.env.BENCH_STREAM_ITERATIONS ?? 3_000);
const WARMUP = 1_000;

const policy = createGuardPolicies(guardSchema.parse({})).forEnv(undefined);
const vault = createPseudonymVault();
const opts = windowFor(128);
const scan = createOutputScanner(policy, vault);
const argsScan = createArgsScanner(policy, vault);
const whole = (s) => (t) => {
  const f = createTextFilter(s, opts);
  return f.push(t) + f.flush();
};
const deps = {
  newFilter: () => createTextFilter(scan, opts),
  newArgsFilter: () => createTextFilter(argsScan, opts),
  fullText: whole(scan),
  fullArgs: whole(argsScan),
  fullValue: whole(scan),
  scanValue: whole(scan),
};

const SHORT = 'Mock reply from gpt-4o-mini: Summarise the plot of Hamlet in two sentences, please.';
const LONG =
  'Mock reply from gpt-4o-mini: Hello, I would like to know how to reset my password on the ' +
  'account settings page, it keeps telling me the link expired. My colleague said it might be ' +
  'related to the browser cache or to cookies. Could you explain the steps to follow, and what ' +
  'I should do if the problem persists after clearing everything? Thanks a lot for your help.';
const pieces = (text) => text.match(/[\s\S]{1,8}/g) ?? [];

function chatStream(reply) {
  const head = { id: 'chatcmpl-abcdefghijklmnopqrstuvwxyz123', object: 'chat.completion.chunk' };
  const meta = { created: 1765000000, model: 'gpt-4o-mini', system_fingerprint: 'fp_mock0000' };
  const chunk = (delta, finish) =>
    `data: ${JSON.stringify({ ...head, ...meta, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
  const usage = { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 };
  return [
    chunk({ role: 'assistant', content: '' }, null),
    ...pieces(reply).map((p) => chunk({ content: p }, null)),
    chunk({}, 'stop'),
    `data: ${JSON.stringify({ ...head, ...meta, choices: [], usage })}\n\n`,
    'data: [DONE]\n\n',
  ];
}

function messagesStream(reply) {
  const ev = (type, o) => `event: ${type}\ndata: ${JSON.stringify({ type, ...o })}\n\n`;
  const message = {
    id: 'msg_01abc',
    type: 'message',
    role: 'assistant',
    model: 'claude-haiku-4-5',
  };
  return [
    ev('message_start', { message: { ...message, usage: { input_tokens: 10, output_tokens: 1 } } }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ...pieces(reply).map((text) =>
      ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
    ),
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 20 } }),
    ev('message_stop', {}),
  ];
}

async function* tapped(tap, events) {
  for (const e of events) {
    const out = tap.push(Buffer.from(e));
    if (out.length > 0) yield out;
  }
}

async function run(endpoint, newTap, events) {
  let bytes = 0;
  for await (const b of rewriteSseStream(endpoint, tapped(newTap(), events), deps))
    bytes += b.length;
  return bytes;
}

const cases = [
  ['chat, short reply', 'chat_completions', chatStream(SHORT)],
  ['chat, long reply', 'chat_completions', chatStream(LONG)],
  ['messages, long reply', 'messages', messagesStream(LONG)],
];
const openAi = () => createOpenAiStreamTap('chat_completions', { isUsageRequestedByCaller: false });
console.log(`stream tap + output guard, CPU per stream, ${ITERATIONS} streams each`);
for (const [name, endpoint, events] of cases) {
  const newTap = endpoint === 'messages' ? createAnthropicStreamTap : openAi;
  for (let i = 0; i < WARMUP; i++) await run(endpoint, newTap, events);
  const before = process.cpuUsage();
  for (let i = 0; i < ITERATIONS; i++) await run(endpoint, newTap, events);
  const used = process.cpuUsage(before);
  const perStream = (used.user + used.system) / ITERATIONS;
  console.log(
    `  ${name.padEnd(22)} ${String(events.length).padStart(3)} events  ${perStream.toFixed(1).padStart(7)} µs/stream  ${(perStream / events.length).toFixed(2)} µs/event`,
  );
}
