import { GatewayError } from '../../errors/gateway-error.js';
import type { Secret } from '../../log/secret.js';
import { readBody } from '../../providers/core/http-stream.js';
import {
  replyTooLarge,
  toGatewayError,
  type UpstreamRequest,
  type UpstreamResponse,
  type WholeReply,
} from '../../providers/core/http.js';
import type { OutgoingRequest, StreamTap } from '../../providers/types.js';
import type { RequestContext, RequestHeaders } from '../context.js';
import type { AttemptSpan } from '../trace.js';
import type { ProviderRuntime } from './providers.js';
import type { TimeoutSettings, UpstreamDeadline } from './timeouts.js';
import { jsonReply, refused, withDeadline } from './reply.js';
import { translatingTap, type ActiveTranslation } from './translate.js';

const MAX_ERROR_BODY_BYTES = 64 * 1024;
const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

/** Caller headers a provider may see: protocol versions, never credentials. */
const FORWARDED_HEADERS = {
  openai: ['openai-beta'],
  'azure-openai': [],
  gemini: [],
  bedrock: [],
  anthropic: ['anthropic-version', 'anthropic-beta'],
} as const;

/** One upstream call: which provider, with which body, under which limits. */
export interface AttemptInput {
  readonly provider: ProviderRuntime;
  /** Request path under the provider's base URL. */
  readonly path: string;
  /** Set when the provider does not speak the caller's format (translate.ts). */
  readonly translation: ActiveTranslation | undefined;
  readonly body: string | Buffer;
  readonly isUsageRequestedByCaller: boolean;
  readonly timeouts: TimeoutSettings;
  readonly maxResponseBytes: number;
}

/** Told once how a started stream ended: `undefined` when it completed. */
export type StreamEnd = (err: GatewayError | undefined) => void;

/** Who hears about this attempt: the stream's end, and its trace span. */
export interface AttemptHooks {
  readonly onStreamEnd: StreamEnd;
  /** Its `traceparent` goes upstream; the provider's status is recorded on it. */
  readonly span: AttemptSpan;
}

/**
 * Sends one request upstream. On success it leaves `ctx.response` and `ctx.usage` and returns
 * `undefined`; a stream is handed over unread and reports its end through `onStreamEnd`.
 * Otherwise it returns the typed error (and logs the provider's status when it answered).
 */
export async function attemptUpstream(
  ctx: RequestContext,
  input: AttemptInput,
  key: Secret,
  deadline: UpstreamDeadline,
  hooks: AttemptHooks,
): Promise<GatewayError | undefined> {
  const { gate } = input.provider;
  const holder = connectionHolder(ctx);
  // A free connection is taken at once: no promise and no microtask on the common path.
  let release = deadline.aborted ? undefined : gate.tryAcquire(holder);
  if (release === undefined) {
    try {
      release = await gate.acquire(holder, deadline);
    } catch (err) {
      return withDeadline(toGatewayError(err), deadline);
    }
  }
  // A stream holds its connection until its end; the deferred release covers a stream the
  // caller never reads. Anything else has read its reply (or failed) when the call returns.
  ctx.defer(release);
  // The stream's end hook is made only for a stream; a whole reply skips that closure.
  const outcome = await (ctx.isStream
    ? exchangeStream(ctx, input, key, deadline, hooks.span, (err) => {
        release();
        hooks.onStreamEnd(err);
      })
    : exchangeWhole(ctx, input, key, deadline, hooks.span));
  if (outcome !== undefined || ctx.response?.kind !== 'stream') release();
  return outcome;
}

/** Whose share of the provider's connections this request uses: its key, else its end user. */
function connectionHolder(ctx: RequestContext): string {
  const caller = ctx.caller;
  if (caller?.key !== undefined) return `key:${caller.key.id}`;
  return caller?.user === undefined ? 'anonymous' : `user:${caller.user.id}`;
}

function upstreamRequest(
  ctx: RequestContext,
  input: AttemptInput,
  key: Secret,
  deadline: UpstreamDeadline,
  span: AttemptSpan,
): UpstreamRequest {
  return {
    path: input.path,
    headers: buildHeaders(input, key, ctx, span.traceparent),
    body: input.body,
    signal: deadline,
    firstByteTimeoutMs: input.timeouts.firstByteTimeoutMs,
    idleTimeoutMs: input.timeouts.idleTimeoutMs,
  };
}

/** A reply the caller gets whole: collected from the connection in one buffer. */
async function exchangeWhole(
  ctx: RequestContext,
  input: AttemptInput,
  key: Secret,
  deadline: UpstreamDeadline,
  span: AttemptSpan,
): Promise<GatewayError | undefined> {
  let reply: WholeReply;
  try {
    reply = await input.provider.client.requestWhole(
      upstreamRequest(ctx, input, key, deadline, span),
      { maxBytes: input.maxResponseBytes, maxErrorBytes: MAX_ERROR_BODY_BYTES },
      span,
    );
  } catch (err) {
    return withDeadline(toGatewayError(err), deadline);
  }
  if (reply.status >= 400) {
    const text = reply.body.toString('utf8');
    return refused(ctx, input, reply.status, text, reply.header('retry-after'));
  }
  return jsonReply(ctx, input, reply.status, reply.body);
}

/** A streamed request: the reply is handed over unread if it is a stream, else read whole. */
async function exchangeStream(
  ctx: RequestContext,
  input: AttemptInput,
  key: Secret,
  deadline: UpstreamDeadline,
  span: AttemptSpan,
  onStreamEnd: StreamEnd,
): Promise<GatewayError | undefined> {
  let res: UpstreamResponse;
  try {
    res = await input.provider.client.request(upstreamRequest(ctx, input, key, deadline, span));
  } catch (err) {
    return withDeadline(toGatewayError(err), deadline);
  }
  span.upstreamStatus(res.status);

  if (res.status >= 400) {
    let text: string;
    try {
      text = (await readReply(res, MAX_ERROR_BODY_BYTES, false)).toString('utf8');
    } catch (err) {
      return withDeadline(toGatewayError(err), deadline);
    }
    return refused(ctx, input, res.status, text, res.header('retry-after'));
  }

  const contentType = res.header('content-type') ?? '';
  const { translation } = input;
  // A translated stream may have another framing than SSE (Bedrock's is binary).
  const isStreamReply =
    translation === undefined
      ? contentType.startsWith('text/event-stream')
      : !contentType.startsWith('application/json');
  if (isStreamReply) {
    const endpoint = ctx.route.id === 'models' ? 'chat_completions' : ctx.route.id;
    const tap =
      translation === undefined
        ? input.provider.adapter.createStreamTap(endpoint, {
            isUsageRequestedByCaller: input.isUsageRequestedByCaller,
          })
        : translatingTap(translation);
    ctx.response = {
      kind: 'stream',
      status: 200,
      chunks: tapped(ctx, input, res, tap, deadline, onStreamEnd),
    };
    return undefined;
  }

  let bytes: Buffer;
  try {
    bytes = await readReply(res, input.maxResponseBytes, true);
  } catch (err) {
    return withDeadline(toGatewayError(err), deadline);
  }
  return jsonReply(ctx, input, res.status, bytes);
}

/** A stream event the provider must not pass on: logged (code only), and the stream's error. */
function rejected(ctx: RequestContext, input: AttemptInput, err: GatewayError): GatewayError {
  ctx.log.warn({ event: 'upstream_stream_rejected', code: err.code, provider: input.provider.id });
  return err;
}

function buildHeaders(
  input: AttemptInput,
  key: Secret,
  ctx: RequestContext,
  traceparent: string | undefined,
): Record<string, string> {
  const { adapter, staticHeaders, origin } = input.provider;
  const callerHeaders: RequestHeaders = ctx.headers;
  const headers: Record<string, string> = {
    ...staticHeaders,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  for (const name of FORWARDED_HEADERS[adapter.kind]) {
    const value = callerHeaders[name];
    if (typeof value === 'string') headers[name] = value;
  }
  if (adapter.kind === 'anthropic') headers['anthropic-version'] ??= DEFAULT_ANTHROPIC_VERSION;
  // The attempt's span, not the caller's header: the provider sees our hop in the trace.
  // Set before the auth headers, so a signing provider (Bedrock) signs it too.
  if (traceparent !== undefined) headers.traceparent = traceparent;
  const request = new Outgoing(input.path, origin, headers, input.body, ctx.clock.now());
  return Object.assign(headers, adapter.authHeaders(key, request));
}

/** The request as a signing adapter sees it; its URL is parsed only if one reads it (SigV4). */
class Outgoing implements OutgoingRequest {
  #url: URL | undefined;
  readonly #path: string;
  readonly #origin: string;

  constructor(
    path: string,
    origin: string,
    readonly headers: Readonly<Record<string, string>>,
    readonly body: string | Buffer,
    readonly nowMs: number,
  ) {
    this.#path = path;
    this.#origin = origin;
  }

  get url(): URL {
    return (this.#url ??= new URL(this.#path, this.#origin));
  }
}

async function* tapped(
  ctx: RequestContext,
  input: AttemptInput,
  res: UpstreamResponse,
  tap: StreamTap,
  deadline: UpstreamDeadline,
  onStreamEnd: StreamEnd,
): AsyncGenerator<Buffer> {
  let failure: GatewayError | undefined;
  let isDone = false;
  try {
    for await (const chunk of res.body) {
      const out = tap.push(chunk);
      if (out.length > 0) yield out;
      if (tap.failure !== undefined) throw (failure = rejected(ctx, input, tap.failure));
    }
    // Bytes after the end marker, or of an unterminated last event, are never forwarded.
    const rest = tap.flush();
    if (rest.length > 0) ctx.log.debug({ event: 'upstream_stream_trailing', bytes: rest.length });
    if (!tap.isComplete) throw (failure = new GatewayError('upstream_stream_interrupted'));
    isDone = true;
  } catch (err) {
    if (failure !== undefined) throw failure;
    const mapped = withDeadline(toGatewayError(err), deadline);
    failure =
      mapped.code === 'upstream_unreachable'
        ? new GatewayError('upstream_stream_interrupted', { cause: err })
        : mapped;
    throw failure;
  } finally {
    // A caller that stops reading ends here too; the body must not outlive the exchange.
    if (!res.body.destroyed) res.body.destroy();
    ctx.usage = tap.usage;
    onStreamEnd(failure ?? (isDone ? undefined : new GatewayError('client_closed')));
  }
}

/** A reply past `cap` is refused (`isStrict`) or cut at the cap (an error body, logged in part). */
function readReply(res: UpstreamResponse, cap: number, isStrict: boolean): Promise<Buffer> {
  return readBody(res.body, cap, isStrict ? replyTooLarge : undefined);
}
