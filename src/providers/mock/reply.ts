import type { MockError } from './errors.js';
import type { StreamFraming } from './framing.js';
import type { SseFrame } from './sse.js';

/** What an endpoint wants sent; the transport applies faults while sending it. */
export type MockReply =
  | { kind: 'json'; status?: number; body: unknown }
  | { kind: 'stream'; frames: SseFrame[]; framing?: StreamFraming }
  | { kind: 'error'; error: MockError };

/** Chat: where a fault can ask the reply to go instead of `content`. */
export const MOCK_REPLY_SHAPES = ['function_call', 'audio'] as const;
export type MockReplyShape = (typeof MOCK_REPLY_SHAPES)[number];

/** A parsed provider request, as an endpoint sees it. */
export interface MockCall {
  /** Pathname and method already routed; the body is a JSON object (else the server sent 400). */
  body: Record<string, unknown>;
  /** Path parameter, e.g. the model id of `GET /v1/models/{id}` or of a Gemini/Bedrock path. */
  pathParam: string | undefined;
  /** The path asked for a stream (Gemini `:streamGenerateContent`, Bedrock `converse-stream`). */
  isStreamPath: boolean;
  /** The query string's parameters. */
  query: URLSearchParams;
  /** Exact reply text from a fault, overriding the default echo. */
  replyOverride: string | undefined;
  /** Characters of reply per streamed content chunk. */
  chunkSize: number;
  /** Reasoning text a fault asks for (dialects that can carry it). */
  reasoning?: string | undefined;
  /** Chat: the reply as a legacy `function_call` or an audio transcript (a fault asks). */
  replyAs?: MockReplyShape | undefined;
}

export type MockEndpoint = (call: MockCall) => MockReply;

export const DEFAULT_CHUNK_SIZE = 8;

/** The default assistant text: callers can see their prompt went through. */
export function defaultReply(model: string, lastUserText: string): string {
  return `Mock reply from ${model}: ${lastUserText}`;
}

export function invalidRequest(message: string, param?: string): MockReply {
  const error: MockError = { status: 400, message };
  if (param !== undefined) error.param = param;
  return { kind: 'error', error };
}

/** The `model` field, or the 400 a provider sends without one. */
export function requireModel(body: Record<string, unknown>): string | MockReply {
  const { model } = body;
  if (typeof model === 'string' && model.length > 0) return model;
  return invalidRequest('you must provide a model parameter', 'model');
}

export function isStreamRequested(body: Record<string, unknown>): boolean {
  return body['stream'] === true;
}

export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
