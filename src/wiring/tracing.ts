import type { Config } from '../config/schema.js';
import type { Pipelines } from '../pipeline/order.js';
import { traceStages } from '../pipeline/run.js';
import type { RequestTracer } from '../pipeline/trace.js';
import { createTracer } from '../telemetry/tracing.js';

/**
 * Traces (telemetry.tracing), chosen once at start: off, `wrap` returns the pipelines as they
 * are and the tracer is the no-op one; on, every stage of each generation of the pipelines
 * runs inside its span.
 */
export function buildTracing(config: Config['telemetry']['tracing']): {
  tracer: RequestTracer;
  wrap: (pipelines: Pipelines) => Pipelines;
} {
  const tracer = createTracer(config);
  if (!tracer.isEnabled) return { tracer, wrap: (pipelines) => pipelines };
  return {
    tracer,
    wrap: (p) => ({ proxy: traceStages(p.proxy), models: traceStages(p.models) }),
  };
}
