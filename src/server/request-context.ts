import type { IncomingMessage } from 'node:http';
import type { Logger } from '../log/logger.js';
import type {
  Caller,
  GatewayResponse,
  RequestContext,
  RequestHeaders,
  RouteSpec,
  Undo,
  UpstreamKeyRef,
} from '../pipeline/context.js';
import { DeferStack } from '../pipeline/defer.js';
import { DisconnectSignal } from '../pipeline/disconnect.js';
import type { GuardRequestState } from '../pipeline/guard/request-state.js';
import type { RequestPolicy } from '../pipeline/policy/request-policy.js';
import type { RequestTrace } from '../pipeline/trace.js';
import type { Target } from '../pipeline/upstream/providers.js';
import type { AuditDecision } from '../store/types.js';
import type { JsonObject, Usage } from '../providers/types.js';
import type { Clock } from '../util/clock.js';
import { readRequestBody, type BodyLimits } from './body.js';

/** What every request's context shares, fixed when the data plane is made. */
export interface ContextShared {
  readonly log: Logger;
  readonly clock: Clock;
  readonly bodyLimits: BodyLimits;
}

/**
 * One request's context as the server builds it. A class, so the per-request work is filling
 * fields: its methods live on the prototype rather than in closures made for each request.
 */
export class ServerRequestContext implements RequestContext {
  readonly clock: Clock;
  readonly disconnect = new DisconnectSignal();
  readonly headers: RequestHeaders;
  readonly startedAtMs: number;
  readonly startedMono: number;
  /** The undo work of `defer`, run by the server after the last byte. */
  readonly deferred = new DeferStack();

  caller: Caller | undefined = undefined;
  presentedKeyPrefix: string | undefined = undefined;
  rawBody: Buffer | undefined = undefined;
  body: JsonObject | undefined = undefined;
  isStream = false;
  target: Target | undefined = undefined;
  response: GatewayResponse | undefined = undefined;
  usage: Usage | undefined = undefined;
  upstreamLatencyMs: number | undefined = undefined;
  upstreamKey: UpstreamKeyRef | undefined = undefined;
  readonly decisions: AuditDecision[] = [];
  policy: RequestPolicy | undefined = undefined;
  guard: GuardRequestState | undefined = undefined;
  costMicroUsd: number | undefined = undefined;
  readonly responseHeaders: Record<string, string> = {};
  outcome: { status: number; errorCode: string | null } = { status: 0, errorCode: null };

  readonly #shared: ContextShared;
  readonly #req: IncomingMessage;
  #log: Logger | undefined;
  #body: Promise<Buffer> | undefined;

  constructor(
    readonly reqId: string,
    readonly route: RouteSpec,
    req: IncomingMessage,
    readonly clientIp: string | null,
    readonly trace: RequestTrace,
    shared: ContextShared,
  ) {
    this.#shared = shared;
    this.#req = req;
    this.headers = req.headers;
    this.clock = shared.clock;
    this.startedAtMs = shared.clock.now();
    this.startedMono = shared.clock.monotonicMs();
  }

  /** Most requests never log (lines are for warnings and errors): made on first use (~5 µs). */
  get log(): Logger {
    return (this.#log ??= this.#shared.log.child({ reqId: this.reqId }));
  }

  get signal(): AbortSignal {
    return this.disconnect.signal;
  }

  readBody(): Promise<Buffer> {
    return (this.#body ??= readRequestBody(this.#req, this.#shared.bodyLimits));
  }

  defer(fn: Undo): void {
    this.deferred.push(fn);
  }
}
