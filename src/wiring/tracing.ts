import type { Config } from '../config/schema.js';
import type { Pipelines } from '../pipeline/order.js';
import { traceStages } from '../pipeline/run.js';
import type { RequestTracer } from '../pipeline/trace.js';
import { createTracer } from '../telemetry/tracing.js';

/**
 * Traces (telemetry.tracing), chosen once: off, the pipelines are returned as they are and the
 * tracer is the no-op one; on, every stage runs inside its span.
 */
export function buildTracing(
  config: Config['telemetry']['tracing'],
  pipelines: Pipelines,
): { tracer: RequestTracer; pipelines: Pipelines } {
  const tracer = createTracer(config);
  if (!tracer.isEnabled) return { tracer, pipelines };
  return {
    tracer,
    pipelines: { proxy: traceStages(pipelines.proxy), models: traceStages(pipelines.models) },
  };
}
