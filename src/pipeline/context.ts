import type { Dialect } from '../errors/wire.js';
import type { Logger } from '../log/logger.js';
import type { JsonObject, Usage } from '../providers/types.js';
import type { AuditDecision, Environment, VirtualKeyRecord } from '../store/types.js';
import type { Clock } from '../util/clock.js';
// The types of fields live with the stages that write them; none of those files imports
// this one, so the context depends on them one way only.
import type { DisconnectSignal } from './disconnect.js';
import type { GuardRequestState } from './guard/request-state.js';
import type { EndUser, RequestPolicy } from './policy/request-policy.js';
import type { RouteId } from './route-id.js';
import type { RequestTrace } from './trace.js';
import type { Target } from './upstream/providers.js';

export type { RouteId };

export interface RouteSpec {
  readonly id: RouteId;
  readonly dialect: Dialect;
}

/** Who is calling, written once by authenticate: a virtual key, or an end user's JWT. */
export interface Caller {
  /** Undefined for an end user who presented a JWT. */
  readonly key: VirtualKeyRecord | undefined;
  readonly env: Environment;
  /** The JWT's user; an app-named user is resolved later by authorize (`ctx.policy.user`). */
  readonly user: EndUser | undefined;
}

/** An upstream key as the audit log names it: provider and label, never the secret. */
export interface UpstreamKeyRef {
  readonly providerId: string;
  readonly label: string;
}

/** What the gateway answers; written once by the last stage, sent by the server. */
export type GatewayResponse =
  | {
      kind: 'json';
      status: number;
      body: Buffer | string;
      /**
       * `body` parsed, when the stage that wrote it already had it as an object (a provider's
       * reply): the output guard reads it instead of parsing the body again. The object is the
       * body's value; whoever changes it writes a new body too.
       */
      json?: JsonObject | undefined;
    }
  | { kind: 'stream'; status: number; chunks: AsyncIterable<Buffer> };

/** Read-only view of request headers (lower-case names), owned by the server. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** Work a stage registers to undo what it holds (a slot, a reservation); see `defer.ts`. */
export type Undo = () => void | Promise<void>;

export interface RequestContext {
  readonly reqId: string;
  readonly route: RouteSpec;
  readonly clock: Clock;
  /** Aborted when the client goes away; the upstream deadline listens to it. */
  readonly disconnect: DisconnectSignal;
  /** `disconnect` as an `AbortSignal` (for fetch), made on first use. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly headers: RequestHeaders;
  readonly clientIp: string | null;
  readonly startedAtMs: number;
  readonly startedMono: number;
  /** Reads the body up to the configured cap, at most once (provided by the server). */
  readonly readBody: () => Promise<Buffer>;
  /** Registers undo work: runs once, last-in first-out, after the last byte or on error. */
  defer(fn: Undo): void;
  /** This request's trace (`NOOP_TRACE` when tracing is off, see `trace.ts`). */
  readonly trace: RequestTrace;

  caller: Caller | undefined;
  /**
   * The visible prefix (`bk_prod_Ab3dE9xZ`) of a revoked or expired key that was presented, for
   * the anomaly detector's probing count (a leaked key still being tried). Not set for unknown
   * keys: each forged key would be a subject of its own.
   */
  presentedKeyPrefix?: string;
  rawBody: Buffer | undefined;
  body: JsonObject | undefined;
  isStream: boolean;
  target: Target | undefined;
  response: GatewayResponse | undefined;
  usage: Usage | undefined;
  upstreamLatencyMs: number | undefined;
  /** The upstream key that served the request (or last failed), written by upstream. */
  upstreamKey: UpstreamKeyRef | undefined;
  /** Policy and guard decisions for the audit row; stages append, never rewrite. */
  readonly decisions: AuditDecision[];
  /** Access policy of this request (scopes, subjects, "may use"), written once by authorize. */
  policy: RequestPolicy | undefined;
  /** The content guard's state (policy, text slots, pseudonyms), made by its first stage. */
  guard: GuardRequestState | undefined;
  /** Settled cost in micro-dollars, written once when the budget reservation settles. */
  costMicroUsd: number | undefined;
  /** Headers sent with the reply, success or error (e.g. `x-ratelimit-*`); stages add. */
  readonly responseHeaders: Record<string, string>;
  /** Final status and error code, set by the server when the exchange ends. */
  outcome: { status: number; errorCode: string | null };
}
