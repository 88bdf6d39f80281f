import { z } from 'zod';

/** The `telemetry` section: OpenTelemetry traces, off by default. */
const tracingSchema = z
  .object({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        'Export OpenTelemetry traces: a span per request, a child per pipeline stage and per upstream attempt. Off: no span is made and no traceparent is sent upstream.',
      ),
    endpoint: z
      .url({ protocol: /^https?$/ })
      .default('http://127.0.0.1:4318/v1/traces')
      .describe('OTLP/HTTP (JSON) traces endpoint of the collector.'),
    serviceName: z
      .string()
      .min(1)
      .max(128)
      .default('bastion')
      .describe('service.name resource attribute of the exported spans.'),
    sampleRatio: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe(
        'Share of new traces sampled (0 to 1). A caller traceparent decides for its own trace (parent-based sampling).',
      ),
  })
  .strict()
  .prefault({});

export const telemetrySchema = z
  .object({ tracing: tracingSchema })
  .strict()
  .prefault({})
  .describe(
    'Telemetry exported by the gateway (Prometheus metrics are under controlPlane.metrics).',
  );
