import { GatewayError } from '../../errors/gateway-error.js';
import { callerExcerpt } from '../../log/excerpt.js';
import type { Endpoint, JsonObject } from '../types.js';
import type { CanonicalRequest, CanonicalResponse, CanonicalStreamEvent } from './canonical.js';

/**
 * Wire formats a translator speaks. The first three are what callers send (one per proxied
 * route); provider formats join the union as their translators are added.
 */
export type WireFormat = CallerFormat | 'gemini' | 'bedrock_converse';

/** What callers send: `/v1/chat/completions`, `/v1/responses`, `/v1/messages`. */
export type CallerFormat = 'openai_chat' | 'openai_responses' | 'anthropic_messages';

/**
 * The caller's side of a format: read its request, write the reply in it. Errors are not
 * rendered here: every failure is a `GatewayError`, and `errors/wire.ts` renders it in the
 * caller's dialect (JSON or a final stream event), translated or not.
 *
 * Methods throw a `GatewayError` (never anything else) when the input cannot be translated:
 * `field_not_translatable` for a field the canonical model cannot carry, `invalid_request`
 * for a malformed one. Both name the field in `param`.
 */
export interface CallerTranslator {
  readonly format: CallerFormat;
  /** The caller's request body (already parsed, validated loosely and guarded). */
  requestToCanonical(body: JsonObject): CanonicalRequest;
  /** The reply in the caller's format; `req` is what the caller asked (echoed by some formats). */
  responseFromCanonical(res: CanonicalResponse, req: CanonicalRequest): JsonObject;
  /** One per streamed reply: canonical events in, the caller's SSE bytes out. */
  createStreamEncoder(req: CanonicalRequest): CanonicalStreamEncoder;
}

/**
 * The provider's side of a format: write the upstream request, read its reply. Methods throw
 * a `GatewayError` as `CallerTranslator`'s do: `field_not_translatable` when the canonical
 * request holds something this provider cannot express, `upstream_bad_response` when the
 * provider's reply does not have the shape of its format.
 */
export interface ProviderTranslator {
  readonly format: WireFormat;
  /**
   * The upstream body; `upstreamModel` is the provider's name for the routed model,
   * `defaultMaxTokens` the output bound to send when the format requires one and the caller
   * set none.
   */
  requestFromCanonical(
    req: CanonicalRequest,
    opts: { upstreamModel: string; defaultMaxTokens?: number },
  ): JsonObject;
  /**
   * A successful, non-streamed reply (a JSON object already parsed and identifier-checked).
   * `req` is the request it answers (a format that emulates JSON mode with a forced tool
   * turns that tool's input back into text).
   */
  responseToCanonical(json: JsonObject, req?: CanonicalRequest): CanonicalResponse;
  /** One per streamed reply: the provider's stream bytes in (any framing), canonical events out. */
  createStreamDecoder(req?: CanonicalRequest): CanonicalStreamDecoder;
}

/** Both sides of a format: the property tests translate through it there and back. */
export interface WireTranslator extends CallerTranslator, ProviderTranslator {
  readonly format: CallerFormat;
}

export interface CanonicalStreamDecoder {
  /**
   * Upstream bytes in; the canonical events they complete (chunk boundaries may fall
   * anywhere). After an event that must not reach the caller (a provider error, an
   * unreadable event), `failure` is set and nothing more is returned.
   */
  push(chunk: Buffer): CanonicalStreamEvent[];
  readonly failure: GatewayError | undefined;
}

export interface CanonicalStreamEncoder {
  /** One canonical event in; the caller's SSE bytes for it (often empty: some are held). */
  push(event: CanonicalStreamEvent): string;
}

/**
 * How a provider kind is reached when the caller's format is not its own: which of its
 * endpoints takes the translated request (its path comes from the provider's `paths`, or from
 * `path` when it depends on the model or on streaming, as Gemini's and Bedrock's do) and the
 * translator for that endpoint's format.
 */
export interface ProviderTranslation {
  readonly endpoint: Endpoint;
  readonly translator: ProviderTranslator;
  /** Path under the provider's base URL, when the endpoint's fixed path does not do. */
  path?(upstreamModel: string, isStream: boolean): string;
}

/**
 * A field the target format cannot express: refused, never silently dropped. Without
 * `format` (the caller's side, which does not know the target) the message is generic; the
 * upstream stage names both formats.
 */
export function notTranslatable(field: string, format?: WireFormat): GatewayError {
  const target =
    format === undefined ? "the model's provider" : `the ${FORMAT_NAMES[format]} format`;
  // A field name may be the caller's own key: bounded and scrubbed before it is echoed.
  const name = fieldExcerpt(field);
  return new GatewayError('field_not_translatable', {
    message: `The field "${name}" cannot be translated to ${target}; remove it or call a model of that provider through its own API.`,
    param: name,
  });
}

/** A readable name of a format, for messages. */
export function formatName(format: WireFormat): string {
  return FORMAT_NAMES[format];
}

/** A field of the caller's request (or of a provider reply) that does not have its format's shape. */
export function malformed(field: string): GatewayError {
  const name = fieldExcerpt(field);
  return new GatewayError('invalid_request', {
    message: `The field "${name}" does not have the expected shape.`,
    param: name,
  });
}

const FIELD_EXCERPT_CHARS = 96;

/** A field path fit for a message: caller keys are bounded and scrubbed. */
export function fieldExcerpt(field: string): string {
  return callerExcerpt(field, FIELD_EXCERPT_CHARS);
}

const FORMAT_NAMES: Record<WireFormat, string> = {
  openai_chat: 'OpenAI Chat Completions',
  openai_responses: 'OpenAI Responses',
  anthropic_messages: 'Anthropic Messages',
  gemini: 'Google Gemini',
  bedrock_converse: 'AWS Bedrock Converse',
};

export type { JsonObject };
