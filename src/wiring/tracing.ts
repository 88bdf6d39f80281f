import type { Config } from '../config/schema.js';
import type { Pipelines } from '../pipeline/order.js';
import { traceStages } from '../pipeline/run.js';
import { NOOP_TRACER, type RequestTracer } from '../pipeline/trace.js';

/**
 * Traces (telemetry.tracing), chosen once at start: off, `wrap` returns the pipelines as they
 * are and the tracer is the no-op one; on, every stage of each generation of the pipelines
 * runs inside its span. OpenTelemetry is imported only when tracing is on: a gateway without
 * it does not load or hold the SDK and its exporter.
 */
export async function buildTracing(config: Config['telemetry']['tracing']): Promise<{
  tracer: RequestTracer;
  wrap: (pipelines: Pipelines) => Pipelines;
}> {
  if (!config.enabled) return { tracer: NOOP_TRACER, wrap: (pipelines) => pipelines };
  const { createTracer } = await import('../telemetry/tracing.js');
  const tracer = createTracer(config);
  return {
    tracer,
    wrap: (p) => ({ proxy: traceStages(p.proxy), models: traceStages(p.models) }),
  };
}
