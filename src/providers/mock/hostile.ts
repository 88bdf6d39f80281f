import type { MockDialect, MockError } from './errors.js';
import type { MockReply } from './reply.js';
import type { SseFrame } from './sse.js';

/**
 * A provider that tries to get its own API key to the caller through the gateway, one place
 * at a time, so each of the gateway's checks on upstream replies can be tested.
 */
export const HOSTILE_MODES = [
  /** A 4xx whose JSON error body carries the key in every field. */
  'error_body',
  /** Streams: an error event carrying the key after the first content chunk, no end marker. */
  'stream_error',
  /** Streams: a line that is not JSON, a comment and a junk line, each with the key; then the rest. */
  'malformed_line',
  /**
   * `id`, `model` and `system_fingerprint` (also inside `message` / `response`) are the key, and
   * so are a chat choice's `role`, tool-call `id` and function `name`, `function_call.name`,
   * `audio.id` and a content block's `id` and `name`, where the reply has them.
   */
  'ids',
  /** The answer text contains the key between spaces. */
  'text',
  /** The answer text contains the key glued to words (`x<key>y`). */
  'text_glued',
  /** The answer text contains the key, streamed three characters a chunk. */
  'text_split',
] as const;

export type HostileMode = (typeof HOSTILE_MODES)[number];

/** The reply text and chunk size a text mode asks for, else undefined. */
export function hostileText(
  mode: HostileMode,
  key: string,
): { reply: string; chunkSize?: number } | undefined {
  if (mode === 'text') return { reply: `Here is the key: ${key} - keep it safe.` };
  if (mode === 'text_glued') return { reply: `Here is the keyx${key}y, keep it safe.` };
  if (mode === 'text_split') return { reply: `Key ${key} end.`, chunkSize: 3 };
  return undefined;
}

/** The `error_body` mode's error: the key as message, type, code and param. */
export function hostileError(key: string): MockError {
  return { status: 400, message: `Bad request for key ${key}`, code: key, param: key };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function plantIds(json: Record<string, unknown>, key: string): void {
  for (const holder of [json, json.message, json.response]) {
    if (!isObject(holder)) continue;
    for (const field of ['id', 'model', 'system_fingerprint']) {
      if (field in holder || holder === json) holder[field] = key;
    }
  }
  // The names beside the text: a chat choice's role, tool calls, function_call and audio, and
  // a content block's id and name, wherever the reply has them.
  const plant = (holder: unknown, ...fields: string[]) => {
    if (isObject(holder))
      for (const f of fields) if (typeof holder[f] === 'string') holder[f] = key;
  };
  plant(json.content_block, 'id', 'name');
  if (!Array.isArray(json.choices)) return;
  for (const choice of json.choices as unknown[]) {
    if (!isObject(choice)) continue;
    for (const m of [choice.delta, choice.message]) {
      if (!isObject(m)) continue;
      plant(m, 'role');
      plant(m.function_call, 'name');
      plant(m.audio, 'id');
      if (Array.isArray(m.tool_calls))
        for (const call of m.tool_calls as unknown[]) {
          plant(call, 'id');
          if (isObject(call)) plant(call.function, 'name');
        }
    }
  }
}

function errorFrame(dialect: MockDialect, key: string): SseFrame {
  const message = `upstream failed for ${key}`;
  switch (dialect) {
    case 'anthropic':
      return {
        event: 'error',
        data: JSON.stringify({ type: 'error', error: { type: 'api_error', message } }),
        isContent: false,
      };
    case 'gemini':
      return {
        data: JSON.stringify({ error: { code: 500, message, status: 'INTERNAL' } }),
        isContent: false,
      };
    case 'bedrock':
      return {
        data: JSON.stringify({ message }),
        exception: 'modelStreamErrorException',
        isContent: false,
      };
    case 'azure':
    case 'openai':
      return {
        data: JSON.stringify({ error: { message, type: 'server_error', code: key } }),
        isContent: false,
      };
  }
}

function afterFirstContent(frames: SseFrame[], extra: SseFrame[], isCut: boolean): SseFrame[] {
  const at = frames.findIndex((f) => f.isContent) + 1;
  return [...frames.slice(0, at), ...extra, ...(isCut ? [] : frames.slice(at))];
}

/** Applies a structural mode (`ids`, `stream_error`, `malformed_line`) to an endpoint's reply. */
export function hostileReply(
  reply: MockReply,
  mode: HostileMode,
  key: string,
  dialect: MockDialect,
): MockReply {
  if (reply.kind === 'error') return reply;
  if (mode === 'ids') {
    if (reply.kind === 'json') {
      if (isObject(reply.body)) plantIds(reply.body, key);
      return reply;
    }
    const frames = reply.frames.map((f) => {
      if (f.data === '[DONE]') return f;
      const json = JSON.parse(f.data) as unknown;
      if (isObject(json)) plantIds(json, key);
      return { ...f, data: JSON.stringify(json) };
    });
    return { ...reply, frames };
  }
  if (reply.kind === 'json') {
    if (mode === 'stream_error') {
      return { kind: 'json', body: { error: { message: `failed for ${key}`, code: key } } };
    }
    return reply;
  }
  if (mode === 'stream_error') {
    return { ...reply, frames: afterFirstContent(reply.frames, [errorFrame(dialect, key)], true) };
  }
  if (mode === 'malformed_line') {
    const junk: SseFrame = { data: `not json ${key}\n: ${key}\n${key}`, isContent: false };
    return { ...reply, frames: afterFirstContent(reply.frames, [junk], false) };
  }
  return reply;
}
