import {
  defaultTextMapGetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import type { GatewayError } from '../errors/gateway-error.js';
import {
  NOOP_TRACER,
  type AttemptInfo,
  type AttemptSpan,
  type RequestTrace,
  type RequestTracer,
  type StageOutcome,
  type TracedRequest,
} from '../pipeline/trace.js';

export interface TracingOptions {
  enabled: boolean;
  /** OTLP/HTTP (JSON) traces URL. */
  endpoint: string;
  serviceName: string;
  /** Share of new traces sampled; a caller's traceparent decides for its own trace. */
  sampleRatio: number;
  version?: string | undefined;
}

/**
 * OpenTelemetry traces of the request path, or `NOOP_TRACER` when they are off (then nothing
 * of OpenTelemetry runs per request). Spans carry ids, names, statuses and error codes only:
 * never a prompt, a reply, a key or a token. Parent contexts are passed explicitly, so no
 * global context manager or propagator is registered.
 */
export function createTracer(opts: TracingOptions): RequestTracer {
  if (!opts.enabled) return NOOP_TRACER;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': opts.serviceName,
      ...(opts.version === undefined ? {} : { 'service.version': opts.version }),
    }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(opts.sampleRatio) }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: opts.endpoint }))],
  });
  const tracer = provider.getTracer('bastion', opts.version);
  const propagator = new W3CTraceContextPropagator();
  return {
    isEnabled: true,
    start(headers, route, reqId) {
      const parent = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
      return new OtelRequestTrace(tracer, parent, route, reqId);
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

class OtelRequestTrace implements RequestTrace {
  private readonly span: Span;
  private readonly context: Context;
  /** The running stage's context: an attempt's parent. */
  private current: Context;

  constructor(
    private readonly tracer: Tracer,
    parent: Context,
    route: string,
    reqId: string,
  ) {
    this.span = tracer.startSpan(
      `bastion ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'bastion.route': route, 'bastion.request_id': reqId },
      },
      parent,
    );
    this.context = trace.setSpan(parent, this.span);
    this.current = this.context;
  }

  stage(
    name: string,
    run: () => StageOutcome | Promise<StageOutcome>,
  ): StageOutcome | Promise<StageOutcome> {
    const span = this.tracer.startSpan(
      name,
      { attributes: { 'bastion.stage': name } },
      this.context,
    );
    this.current = trace.setSpan(this.context, span);
    let verdict: StageOutcome | Promise<StageOutcome>;
    try {
      verdict = run();
    } catch (err) {
      this.endStage(span, undefined, true);
      throw err;
    }
    if (verdict instanceof Promise) {
      return verdict.then(
        (v) => this.endStage(span, v, false),
        (err: unknown) => {
          this.endStage(span, undefined, true);
          throw err;
        },
      );
    }
    return this.endStage(span, verdict, false);
  }

  private endStage(span: Span, verdict: StageOutcome, isThrown: boolean): StageOutcome {
    if (verdict !== undefined) failed(span, verdict.code);
    else if (isThrown) failed(span, 'internal_error');
    span.end();
    this.current = this.context;
    return verdict;
  }

  attempt(info: AttemptInfo): AttemptSpan {
    const span = this.tracer.startSpan(
      'upstream attempt',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'bastion.attempt': info.attempt,
          'bastion.provider': info.provider,
          'bastion.model': info.model,
          'bastion.upstream_key': info.keyLabel,
        },
      },
      this.current,
    );
    const sc = span.spanContext();
    const flags = (sc.traceFlags & 0xff).toString(16).padStart(2, '0');
    return {
      traceparent: `00-${sc.traceId}-${sc.spanId}-${flags}`,
      upstreamStatus: (status) => span.setAttribute('http.response.status_code', status),
      end(err: GatewayError | undefined) {
        if (err !== undefined) failed(span, err.code);
        span.end();
      },
    };
  }

  end(request: TracedRequest): void {
    const { span } = this;
    span.setAttribute('http.response.status_code', request.outcome.status);
    if (request.outcome.errorCode !== null) failed(span, request.outcome.errorCode);
    const { target, caller, upstreamKey } = request;
    if (target !== undefined) span.setAttribute('bastion.model', target.model);
    const provider = upstreamKey?.providerId ?? target?.provider.id;
    if (provider !== undefined) span.setAttribute('bastion.provider', provider);
    if (upstreamKey !== undefined) span.setAttribute('bastion.upstream_key', upstreamKey.label);
    if (caller?.key !== undefined) span.setAttribute('bastion.key_id', caller.key.id);
    span.end();
  }
}

/** Our stable code, never a message (messages may quote what the caller sent). */
function failed(span: Span, code: string): void {
  span.setAttribute('error.type', code);
  span.setStatus({ code: SpanStatusCode.ERROR });
}
