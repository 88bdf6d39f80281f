import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROXY_ORDER } from '../../src/pipeline/order.js';
import { CANARY_OPENAI_KEY, post, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * telemetry.tracing: spans go to an in-process OTLP/HTTP receiver (the JSON encoding the
 * official exporter sends), the mock provider shows what reached the provider.
 */

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: OtlpValue }[];
}
interface OtlpExport {
  resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
}

/** Collects every OTLP export it is sent, raw and parsed. */
async function startReceiver() {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    bodies,
    spans: (): OtlpSpan[] =>
      bodies.flatMap((b) =>
        (JSON.parse(b) as OtlpExport).resourceSpans.flatMap((r) =>
          r.scopeSpans.flatMap((s) => s.spans),
        ),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function attr(span: OtlpSpan, key: string): string | number | undefined {
  const value = span.attributes.find((a) => a.key === key)?.value;
  if (value === undefined) return undefined;
  return value.stringValue ?? (value.intValue === undefined ? undefined : Number(value.intValue));
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const CANARY_PROMPT = 'canary-prompt-7d41c0e2 tell me about the weather';
const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: CANARY_PROMPT }] };

describe('OpenTelemetry traces', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let gw: TestGateway | undefined;

  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
    await receiver.close();
  });

  const start = (enabled: boolean) =>
    startTestGateway({
      config: { telemetry: { tracing: { enabled, endpoint: receiver.url } } },
      appDeps: { upstream: { random: () => 0, sleep: () => Promise.resolve() } },
    });

  it('exports request, stage and attempt spans, continues the caller trace upstream, leaks nothing', async () => {
    gw = await start(true);
    const key = await gw.createKey();
    gw.mock.enqueueFault({ status: 503 });
    const res = await post(`${gw.url}/v1/chat/completions`, chat, {
      authorization: `Bearer ${key.secret}`,
      traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01`,
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const { mock } = gw;
    await gw.close(); // exports what is buffered
    gw = undefined;

    const spans = receiver.spans();
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([TRACE_ID]));
    const request = spans.filter((s) => s.name === 'bastion chat_completions');
    expect(request).toHaveLength(1);
    const root = request[0] as OtlpSpan;
    expect(root.parentSpanId).toBe(CALLER_SPAN);
    expect(attr(root, 'http.response.status_code')).toBe(200);
    expect(attr(root, 'bastion.key_id')).toBe(key.id);
    expect(attr(root, 'bastion.model')).toBe('gpt-4o-mini');
    expect(attr(root, 'bastion.provider')).toBe('openai');
    expect(attr(root, 'error.type')).toBeUndefined();

    const stages = spans.filter((s) => s.parentSpanId === root.spanId);
    expect(stages.map((s) => s.name).sort()).toEqual([...PROXY_ORDER].sort());
    const upstream = stages.find((s) => s.name === 'upstream') as OtlpSpan;
    const attempts = spans
      .filter((s) => s.parentSpanId === upstream.spanId)
      .sort((a, b) => Number(attr(a, 'bastion.attempt')) - Number(attr(b, 'bastion.attempt')));
    expect(attempts.map((s) => s.name)).toEqual(['upstream attempt', 'upstream attempt']);
    expect(attempts.map((s) => attr(s, 'bastion.attempt'))).toEqual([1, 2]);
    expect(attempts.map((s) => attr(s, 'http.response.status_code'))).toEqual([503, 200]);
    expect(attr(attempts[0] as OtlpSpan, 'error.type')).toBe('upstream_overloaded');
    expect(attempts.map((s) => attr(s, 'bastion.provider'))).toEqual(['openai', 'openai']);
    expect(spans).toHaveLength(1 + PROXY_ORDER.length + 2);

    // Each provider call carried its attempt's span as parent, in the caller's trace.
    const sent = mock.received
      .filter((r) => r.path === '/v1/chat/completions')
      .map((r) => r.headers.traceparent);
    expect(sent).toEqual(attempts.map((s) => `00-${TRACE_ID}-${s.spanId}-01`));

    const exported = receiver.bodies.join('\n');
    for (const canary of [CANARY_OPENAI_KEY, key.secret, CANARY_PROMPT, 'canary-prompt']) {
      expect(exported.includes(canary), canary).toBe(false);
    }
  });

  it('off: nothing is exported and no traceparent goes upstream', async () => {
    gw = await start(false);
    const key = await gw.createKey();
    const res = await post(`${gw.url}/v1/chat/completions`, chat, {
      authorization: `Bearer ${key.secret}`,
      traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01`,
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const received = gw.mock.received.filter((r) => r.path === '/v1/chat/completions');
    expect(received).toHaveLength(1);
    expect(received[0]?.headers.traceparent).toBeUndefined();
    await gw.close();
    gw = undefined;
    expect(receiver.bodies).toEqual([]);
  });
});
