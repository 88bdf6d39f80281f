import type { GatewayError } from '../errors/gateway-error.js';

/**
 * The tracing port of the pipeline (`src/telemetry/tracing.ts` implements it with
 * OpenTelemetry). Chosen once at start: with tracing off every request shares `NOOP_TRACE`,
 * the stages are not wrapped and no span or context object is made.
 */

/** The facts a request span ends with: ids, codes and names, never text or a secret. */
export interface TracedRequest {
  readonly outcome: { readonly status: number; readonly errorCode: string | null };
  readonly target:
    { readonly model: string; readonly provider: { readonly id: string } } | undefined;
  readonly caller: { readonly key: { readonly id: string } | undefined } | undefined;
  readonly upstreamKey: { readonly providerId: string; readonly label: string } | undefined;
}

/** One upstream call: which try, where to. */
export interface AttemptInfo {
  readonly attempt: number;
  readonly provider: string;
  readonly model: string;
  /** The upstream key's label (never its secret). */
  readonly keyLabel: string;
}

export interface AttemptSpan {
  /** W3C `traceparent` for the provider call; undefined when tracing is off. */
  readonly traceparent: string | undefined;
  /** The provider's HTTP status, when it answered. */
  upstreamStatus(status: number): void;
  end(err: GatewayError | undefined): void;
}

export type StageOutcome = GatewayError | undefined;

export interface RequestTrace {
  /** Runs one stage inside a child span of the request span. */
  stage(
    name: string,
    run: () => StageOutcome | Promise<StageOutcome>,
  ): StageOutcome | Promise<StageOutcome>;
  /** Opens the span of one upstream attempt, a child of the running stage's span. */
  attempt(info: AttemptInfo): AttemptSpan;
  /** Ends the request span once the exchange is over. */
  end(request: TracedRequest): void;
}

/** Makes each request's trace from the caller's headers (a `traceparent` continues its trace). */
export interface RequestTracer {
  readonly isEnabled: boolean;
  start(
    headers: Readonly<Record<string, string | string[] | undefined>>,
    route: string,
    reqId: string,
  ): RequestTrace;
  /** Exports what is buffered. */
  flush(): Promise<void>;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

const NOOP_ATTEMPT: AttemptSpan = {
  traceparent: undefined,
  upstreamStatus: () => undefined,
  end: () => undefined,
};

export const NOOP_TRACE: RequestTrace = {
  stage: (_name, run) => run(),
  attempt: () => NOOP_ATTEMPT,
  end: () => undefined,
};

export const NOOP_TRACER: RequestTracer = {
  isEnabled: false,
  start: () => NOOP_TRACE,
  flush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
