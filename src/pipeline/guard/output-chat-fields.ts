/**
 * The fields of a chat message (whole reply) or delta (stream) the output guard has a handler
 * for. Every other field, and a known one of a shape the handlers do not take, is screened
 * whole (`rewriteUnknownFields`): a field a provider or compatible server adds must not carry
 * text to the caller unscreened.
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Screened by a handler: text (`content`, reasoning, refusal) through its filter, each tool
 * call's and the legacy `function_call`'s arguments, the `audio` transcript, every string of
 * `reasoning_details`. `role` carries no model text.
 */
export function isChatField(holder: Json, field: string): boolean {
  const value = holder[field];
  switch (field) {
    case 'role':
    case 'tool_calls':
    case 'reasoning_details':
      return true;
    case 'content':
    case 'reasoning_content':
    case 'reasoning':
    case 'refusal':
      return typeof value === 'string' || value === null;
    case 'function_call':
    case 'audio':
      return isObject(value);
    default:
      return false;
  }
}

/** `function_call`: `arguments` has its filter, `name` is the app's function name. */
export const isFunctionCallField = (field: string) => field === 'name' || field === 'arguments';

/**
 * `audio`: `transcript` has its filter; `data` is the audio itself (base64), `id` and
 * `expires_at` the provider's handle on it.
 */
export const isAudioField = (field: string) =>
  field === 'transcript' || field === 'data' || field === 'id' || field === 'expires_at';
