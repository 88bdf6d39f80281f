// The cost of OpenTelemetry tracing per request (telemetry.tracing), in process: a request
// trace, one span per stage of the proxy pipeline (stages that do nothing, so only the tracing
// is measured), one upstream attempt with its traceparent, and the export over OTLP/HTTP JSON
// to a receiver in this process (so the exporter's CPU is counted). Off: the no-op tracer.
// Run after `npm run build`:  node bench/tracing.js   (BENCH_TRACING_ITERATIONS, default 20000)
import console from 'node:console';
import { createServer } from 'node:http';
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { PROXY_ORDER } from '../dist/pipeline/order.js';
import { runStages, traceStages } from '../dist/pipeline/run.js';
import { NOOP_TRACER } from '../dist/pipeline/trace.js';
import { createTracer } from '../dist/telemetry/tracing.js';

const ITERATIONS = Number(process.env.BENCH_TRACING_ITERATIONS ?? 20_000);
// Below the exporter's queue (2,048 spans); each batch is flushed, so no span is dropped.
const BATCH = 100;

let exported = 0;
const receiver = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    for (const r of body.resourceSpans) for (const s of r.scopeSpans) exported += s.spans.length;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${receiver.address().port}/v1/traces`;

const stages = PROXY_ORDER.map((name) => ({ name, run: () => undefined }));
const headers = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
const done = {
  outcome: { status: 200, errorCode: null },
  target: { model: 'gpt-4o-mini', provider: { id: 'openai' } },
  caller: { key: { id: 'key_1' } },
  upstreamKey: { providerId: 'openai', label: 'primary' },
};
let sink = 0;

async function measure(tracer, pipeline) {
  const once = () => {
    const ctx = { trace: tracer.start(headers, 'chat_completions', 'req') };
    runStages(pipeline, ctx);
    const span = ctx.trace.attempt({ attempt: 1, provider: 'openai', model: 'm', keyLabel: 'k' });
    sink += span.traceparent?.length ?? 0;
    span.upstreamStatus(200);
    span.end(undefined);
    ctx.trace.end(done);
  };
  for (let i = 0; i < 2_000; i++) once();
  await tracer.flush();
  exported = 0;
  let pathMs = 0;
  const t0 = performance.now();
  for (let i = 0; i < ITERATIONS; i += BATCH) {
    const t1 = performance.now();
    for (let j = 0; j < BATCH; j++) once();
    pathMs += performance.now() - t1;
    await tracer.flush();
  }
  const totalMs = performance.now() - t0;
  await tracer.shutdown();
  return { path: (pathMs * 1000) / ITERATIONS, total: (totalMs * 1000) / ITERATIONS };
}

const off = await measure(NOOP_TRACER, stages);
const tracer = createTracer({ enabled: true, endpoint, serviceName: 'bench', sampleRatio: 1 });
const on = await measure(tracer, traceStages(stages));
receiver.close();

const spansPerRequest = stages.length + 2;
const us = (v) => v.toFixed(2).padStart(8);
console.log(
  `tracing bench: ${ITERATIONS} requests, ${spansPerRequest} spans each, node ${process.version}`,
);
console.log(`tracing off  request path ${us(off.path)} µs per request`);
console.log(
  `tracing on   request path ${us(on.path)} µs per request (+${(on.path - off.path).toFixed(1)} µs, ${(on.path / off.path).toFixed(0)}× off)`,
);
console.log(
  `tracing on   with export  ${us(on.total)} µs per request (OTLP JSON to a receiver in this process; its CPU counted)`,
);
console.log(`exported ${exported} of ${ITERATIONS * spansPerRequest} spans; checksum ${sink % 7}`);
