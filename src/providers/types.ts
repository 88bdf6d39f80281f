import type { GatewayError } from '../errors/gateway-error.js';
import type { Secret } from '../log/secret.js';

/** Proxied endpoints. `/v1/models` is answered by the gateway itself. */
export type Endpoint = 'chat_completions' | 'responses' | 'embeddings' | 'messages';

export type ProviderKind = 'openai' | 'anthropic' | 'azure-openai' | 'gemini' | 'bedrock';

/** The wire format a kind's provider speaks to callers' bodies unchanged. */
export type WireDialect = 'openai' | 'anthropic';

export function dialectOf(kind: ProviderKind): WireDialect {
  return kind === 'anthropic' ? 'anthropic' : 'openai';
}

export type JsonObject = Record<string, unknown>;

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

/** Watches an upstream SSE byte stream: collects usage, and may drop events the caller did not ask for. */
export interface StreamTap {
  /** Bytes in from upstream; bytes out to the caller (possibly empty while an event is incomplete). */
  push(chunk: Buffer): Buffer;
  /** Upstream ended; whatever is still buffered. */
  flush(): Buffer;
  readonly usage: Usage | undefined;
  /** The provider's end-of-stream marker was seen (`[DONE]`, `message_stop`, `response.completed`). */
  readonly isComplete: boolean;
  /**
   * The provider sent an event that must not reach the caller (an error, a malformed line):
   * `push` returned what came before it and drops the rest; the stream ends with this error.
   */
  readonly failure: GatewayError | undefined;
}

export interface PreparedBody {
  /** `undefined`: forward the caller's bytes unchanged. */
  json: JsonObject | undefined;
  /** The caller asked for a usage event on a stream; if false the tap drops the one we added. */
  isUsageRequestedByCaller: boolean;
}

export interface UpstreamErrorInput {
  status: number;
  bodyText: string;
  retryAfter: string | undefined;
}

/** The request about to be sent, for adapters whose auth depends on it (AWS SigV4). */
export interface OutgoingRequest {
  readonly url: URL;
  /** Headers already set (content type, static headers); the auth headers are added to them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
  readonly nowMs: number;
}

/** Stands for the (URL-encoded) upstream model name in a path template. */
export const MODEL_IN_PATH = '{model}';

/** What differs between providers; shared work lives in providers/core. */
export interface ProviderAdapter {
  readonly kind: ProviderKind;
  /**
   * Upstream path for each supported endpoint, may hold a query (`?api-version=…`);
   * `{model}` stands for the upstream model name (Azure deployments, Gemini, Bedrock).
   */
  readonly paths: ReadonlyMap<Endpoint, string>;
  /** Only place a provider key is revealed. */
  authHeaders(key: Secret, request: OutgoingRequest): Record<string, string>;
  /** Passthrough edits: model alias, usage on streams. */
  prepareBody(
    endpoint: Endpoint,
    body: JsonObject,
    upstreamModel: string | undefined,
    isStream: boolean,
  ): PreparedBody;
  usageFromJson(endpoint: Endpoint, json: unknown): Usage | undefined;
  createStreamTap(endpoint: Endpoint, opts: { isUsageRequestedByCaller: boolean }): StreamTap;
  mapError(input: UpstreamErrorInput): GatewayError;
}
