import { GatewayError } from '../../errors/gateway-error.js';
import { joinEndpointPath } from '../../providers/core/base-url.js';
import type { CanonicalRequest } from '../../providers/core/canonical.js';
import { createTranslatingTap, usageOf } from '../../providers/core/translate-tap.js';
import {
  formatName,
  type CallerTranslator,
  type ProviderTranslation,
} from '../../providers/core/translator.js';
import { callerTranslators, providerTranslations } from '../../providers/translators.js';
import type { Endpoint, JsonObject, StreamTap, Usage } from '../../providers/types.js';
import type { ModelRoute, ProviderRuntime } from './providers.js';

/**
 * The translated path of the upstream stage: when the routed provider does not speak the
 * caller's format, the request goes through the canonical model to the provider's own format
 * (its kind's entry in `providers/translators.ts`), and the reply comes back the same way.
 * The guard stages run before and after this one on the caller's format, so pseudonyms,
 * the managed system prompt and the stream-safe output filter apply unchanged.
 */
export interface ActiveTranslation {
  readonly caller: CallerTranslator;
  readonly provider: ProviderTranslation;
  /** The caller's request in canonical form (read once per request, shared by fallbacks). */
  readonly request: CanonicalRequest;
}

/** True when `provider` can serve `endpoint`: in its own format, or translated. */
export function canServe(endpoint: Endpoint, provider: ProviderRuntime): boolean {
  return (
    provider.adapter.paths.has(endpoint) ||
    (callerTranslators.has(endpoint) && providerTranslations.has(provider.adapter.kind))
  );
}

/** The caller's request in canonical form, read at most once however many routes need it. */
export class CanonicalCache {
  #value: CanonicalRequest | GatewayError | undefined;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly body: JsonObject,
  ) {}

  get(caller: CallerTranslator): CanonicalRequest | GatewayError {
    if (this.#value === undefined) {
      try {
        this.#value = caller.requestToCanonical(this.body);
      } catch (err) {
        this.#value = asTranslationError(err);
      }
    }
    return this.#value;
  }
}

export interface TranslatedRequest {
  readonly translation: ActiveTranslation;
  readonly path: string;
  readonly body: string;
}

/** The upstream request for `route` in its provider's format, or why it cannot be made. */
export function translateRequest(
  endpoint: Endpoint,
  route: ModelRoute,
  cache: CanonicalCache,
  opts: { defaultMaxTokens: number },
): TranslatedRequest | GatewayError {
  const { provider } = route;
  const caller = callerTranslators.get(endpoint);
  const target = providerTranslations.get(provider.adapter.kind);
  if (caller === undefined || target === undefined) {
    return new GatewayError('endpoint_not_supported', { param: 'model' });
  }
  const request = cache.get(caller);
  if (request instanceof GatewayError) return named(request, caller, target);
  const upstreamModel = route.upstreamModel ?? route.model;
  let body: JsonObject;
  try {
    body = target.translator.requestFromCanonical(request, {
      upstreamModel,
      defaultMaxTokens: opts.defaultMaxTokens,
    });
  } catch (err) {
    return named(asTranslationError(err), caller, target);
  }
  const fixed = provider.pathFor(target.endpoint, upstreamModel, request.stream);
  const path =
    target.path === undefined
      ? fixed
      : joinEndpointPath(provider.basePath, target.path(upstreamModel, request.stream));
  if (path === undefined) return new GatewayError('endpoint_not_supported', { param: 'model' });
  return { translation: { caller, provider: target, request }, path, body: JSON.stringify(body) };
}

/** A non-streamed provider reply in the caller's format, with its usage. */
export function translateReply(
  translation: ActiveTranslation,
  json: JsonObject,
): { body: Buffer; json: JsonObject; usage: Usage } | GatewayError {
  try {
    const res = translation.provider.translator.responseToCanonical(json, translation.request);
    const out = translation.caller.responseFromCanonical(res, translation.request);
    return { body: Buffer.from(JSON.stringify(out)), json: out, usage: usageOf(res.usage) };
  } catch (err) {
    const e = asTranslationError(err);
    // A reply we cannot read is the provider's fault, whatever the reader called it.
    return e.code === 'upstream_bad_response'
      ? e
      : new GatewayError('upstream_bad_response', { cause: e });
  }
}

/** The stream tap of a translated reply: provider events in, the caller's events out. */
export function translatingTap(translation: ActiveTranslation): StreamTap {
  return createTranslatingTap(
    translation.provider.translator.createStreamDecoder(translation.request),
    translation.caller.createStreamEncoder(translation.request),
  );
}

function asTranslationError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  // A translator throws only GatewayError; anything else is a bug, reported as one.
  return new GatewayError('internal_error', { cause: err });
}

/** A refused field, with the message naming both formats. */
function named(
  err: GatewayError,
  caller: CallerTranslator,
  target: ProviderTranslation,
): GatewayError {
  if (err.code !== 'field_not_translatable') return err;
  const field = err.param ?? 'unknown';
  return new GatewayError('field_not_translatable', {
    message: `The field "${field}" cannot be translated from the ${formatName(caller.format)} format to the ${formatName(target.translator.format)} format of the model's provider; remove it or call a model of that provider through its own API.`,
    param: field,
  });
}
