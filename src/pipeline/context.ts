import type { Dialect } from '../errors/wire.js';
import type { Logger } from '../log/logger.js';
import type { Endpoint, JsonObject, Usage } from '../providers/types.js';
import type { AuditDecision, Environment, VirtualKeyRecord } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import type { RequestPolicy } from './policy/request-policy.js';
import type { ProviderRuntime } from './upstream/providers.js';

export type RouteId = Endpoint | 'models';

export interface RouteSpec {
  readonly id: RouteId;
  readonly dialect: Dialect;
}

/** An end user: verified from a JWT, or named by an app through its own key. */
export interface EndUser {
  readonly id: string;
  readonly team: string | undefined;
  readonly tier: string | undefined;
  readonly source: 'jwt' | 'app';
  /**
   * What the audit row stores: absent, the id; null, nothing (an app-named id kept raw for
   * limits because no pseudonym key is configured).
   */
  readonly auditId?: string | null;
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

/** Where the request goes, written once by route. */
export interface Target {
  readonly model: string;
  readonly provider: ProviderRuntime;
  readonly upstreamModel: string | undefined;
}

/** What the gateway answers; written once by the last stage, sent by the server. */
export type GatewayResponse =
  | { kind: 'json'; status: number; body: Buffer | string }
  | { kind: 'stream'; status: number; chunks: AsyncIterable<Buffer> };

/** Read-only view of request headers (lower-case names), owned by the server. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface RequestContext {
  readonly reqId: string;
  readonly route: RouteSpec;
  readonly clock: Clock;
  /** Aborted when the client goes away; passed to the upstream call. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly headers: RequestHeaders;
  readonly clientIp: string | null;
  readonly startedAtMs: number;
  readonly startedMono: number;
  /** Reads the body up to the configured cap, at most once (provided by the server). */
  readonly readBody: () => Promise<Buffer>;
  /** Registers undo work: runs once, last-in first-out, after the last byte or on error. */
  defer(fn: () => void | Promise<void>): void;

  caller: Caller | undefined;
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
  /** Settled cost in micro-dollars, written once when the budget reservation settles. */
  costMicroUsd: number | undefined;
  /** Headers sent with the reply, success or error (e.g. `x-ratelimit-*`); stages add. */
  readonly responseHeaders: Record<string, string>;
  /** Final status and error code, set by the server when the exchange ends. */
  outcome: { status: number; errorCode: string | null };
}
