import { GatewayError } from '../../errors/gateway-error.js';
import { toGatewayError, type UpstreamResponse } from '../../providers/core/http.js';
import type { StreamTap } from '../../providers/types.js';
import type { RequestContext, RequestHeaders, Target } from '../context.js';
import type { Stage, Verdict } from '../stage.js';

export interface UpstreamOptions {
  maxResponseBytes: number;
}

const MAX_ERROR_BODY_BYTES = 64 * 1024;
const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

/** Caller headers a provider may see: protocol versions, never credentials. */
const FORWARDED_HEADERS = {
  openai: ['openai-beta'],
  anthropic: ['anthropic-version', 'anthropic-beta'],
} as const;

/** Calls the provider with the server-held key and prepares the reply for the caller. */
export function createUpstreamStage(opts: UpstreamOptions): Stage {
  return {
    name: 'upstream',
    run: async function upstream(ctx: RequestContext): Promise<Verdict> {
      const target = ctx.target;
      const body = ctx.body;
      if (target === undefined || body === undefined || ctx.route.id === 'models') {
        return new GatewayError('internal_error');
      }
      const { adapter } = target.provider;
      const prepared = adapter.prepareBody(ctx.route.id, body, target.upstreamModel, ctx.isStream);
      const startedMono = ctx.clock.monotonicMs();
      let res: UpstreamResponse;
      try {
        res = await target.provider.client.request({
          path: adapter.paths.get(ctx.route.id) as string,
          headers: buildHeaders(target, ctx.headers),
          body: prepared.json === undefined ? (ctx.rawBody ?? '') : JSON.stringify(prepared.json),
          signal: ctx.signal,
        });
      } catch (err) {
        return logged(ctx, toGatewayError(err), target);
      }
      const elapsed = () => (ctx.upstreamLatencyMs = ctx.clock.monotonicMs() - startedMono);

      if (res.status >= 400) {
        const text = (await readCapped(res, MAX_ERROR_BODY_BYTES, false)).toString('utf8');
        elapsed();
        const retryAfter = header(res.headers['retry-after']);
        return logged(
          ctx,
          adapter.mapError({ status: res.status, bodyText: text, retryAfter }),
          target,
          res.status,
        );
      }

      const contentType = header(res.headers['content-type']) ?? '';
      if (ctx.isStream && contentType.startsWith('text/event-stream')) {
        const tap = adapter.createStreamTap(ctx.route.id, {
          isUsageRequestedByCaller: prepared.isUsageRequestedByCaller,
        });
        ctx.response = { kind: 'stream', status: 200, chunks: tapped(ctx, res, tap, elapsed) };
        return undefined;
      }

      let bytes: Buffer;
      try {
        bytes = await readCapped(res, opts.maxResponseBytes, true);
      } catch (err) {
        return logged(ctx, toGatewayError(err), target);
      }
      elapsed();
      let json: unknown;
      try {
        json = JSON.parse(bytes.toString('utf8'));
      } catch {
        return logged(ctx, new GatewayError('upstream_bad_response'), target, res.status);
      }
      ctx.usage = adapter.usageFromJson(ctx.route.id, json);
      ctx.response = { kind: 'json', status: res.status, body: bytes };
      return undefined;
    },
  };
}

function buildHeaders(target: Target, callerHeaders: RequestHeaders): Record<string, string> {
  const { adapter, staticHeaders, key } = target.provider;
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
  return Object.assign(headers, adapter.authHeaders(key));
}

async function* tapped(
  ctx: RequestContext,
  res: UpstreamResponse,
  tap: StreamTap,
  elapsed: () => void,
): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of res.body) {
      const out = tap.push(chunk);
      if (out.length > 0) yield out;
    }
  } catch (err) {
    const mapped = toGatewayError(err);
    throw mapped.code === 'upstream_unreachable'
      ? new GatewayError('upstream_stream_interrupted', { cause: err })
      : mapped;
  } finally {
    elapsed();
    ctx.usage = tap.usage;
  }
  const rest = tap.flush();
  if (!tap.isComplete) {
    if (rest.length > 0) ctx.log.debug({ event: 'upstream_stream_incomplete', bytes: rest.length });
    throw new GatewayError('upstream_stream_interrupted');
  }
  if (rest.length > 0) yield rest;
}

async function readCapped(res: UpstreamResponse, cap: number, isStrict: boolean): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.length;
    if (size > cap) {
      res.body.destroy();
      if (isStrict)
        throw new GatewayError('upstream_bad_response', {
          message: 'The provider reply is larger than this gateway accepts.',
        });
      break;
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function logged(ctx: RequestContext, err: GatewayError, target: Target, upstreamStatus?: number) {
  if (err.code !== 'client_closed') {
    ctx.log.warn({
      event: 'upstream_error',
      code: err.code,
      provider: target.provider.id,
      upstreamStatus,
      err: err.cause,
    });
  }
  return err;
}
