import { GatewayError } from '../../errors/gateway-error.js';
import { IdentifierCheck, parseObject, reportedError } from '../../providers/core/reply-check.js';
import type { RequestContext } from '../context.js';
import type { ProviderRuntime } from './providers.js';
import type { UpstreamDeadline } from './timeouts.js';
import { translateReply, type ActiveTranslation } from './translate.js';

/** What an attempt makes of the provider's answer (an attempt's input has these). */
export interface ReplySource {
  readonly provider: ProviderRuntime;
  /** Set when the provider does not speak the caller's format. */
  readonly translation: ActiveTranslation | undefined;
}

/** The provider refused: its error mapped to ours, its status logged. */
export function refused(
  ctx: RequestContext,
  input: ReplySource,
  status: number,
  bodyText: string,
  retryAfter: string | undefined,
): GatewayError {
  const err = input.provider.adapter.mapError({ status, bodyText, retryAfter });
  return logged(ctx, input, err, status);
}

/** A JSON reply: parsed once, checked, its usage read; the parsed object goes along. */
export function jsonReply(
  ctx: RequestContext,
  input: ReplySource,
  status: number,
  bytes: Buffer,
): GatewayError | undefined {
  const json = parseObject(bytes.toString('utf8'));
  if (json === undefined) {
    return logged(ctx, input, new GatewayError('upstream_bad_response'), status);
  }
  const reported = reportedError(json);
  if (reported !== undefined) return logged(ctx, input, reported, status);
  const { translation } = input;
  if (translation !== undefined) {
    new IdentifierCheck().fix(json);
    const reply = translateReply(translation, json);
    if (reply instanceof GatewayError) return logged(ctx, input, reply, status);
    ctx.usage = reply.usage;
    ctx.response = { kind: 'json', status, body: reply.body, json: reply.json };
    return undefined;
  }
  const endpoint = ctx.route.id === 'models' ? 'chat_completions' : ctx.route.id;
  ctx.usage = input.provider.adapter.usageFromJson(endpoint, json);
  const body = new IdentifierCheck().fix(json) ? Buffer.from(JSON.stringify(json)) : bytes;
  // The parsed reply goes along: the output guard reads it rather than parsing the body again.
  ctx.response = { kind: 'json', status, body, json };
  return undefined;
}

/** The provider answered with an error: its status goes to the log, never to the caller. */
export function logged(
  ctx: RequestContext,
  input: ReplySource,
  err: GatewayError,
  upstreamStatus: number,
): GatewayError {
  ctx.log.warn({
    event: 'upstream_error',
    code: err.code,
    provider: input.provider.id,
    upstreamStatus,
  });
  return err;
}

/** An abort is the caller leaving, unless our own total deadline fired. */
export function withDeadline(err: GatewayError, deadline: UpstreamDeadline): GatewayError {
  if (err.code === 'client_closed' && deadline.isExpired) {
    return new GatewayError('upstream_timeout_total', { cause: err.cause });
  }
  return err;
}
