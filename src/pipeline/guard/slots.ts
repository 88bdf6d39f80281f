import type { Endpoint, JsonObject } from '../../providers/types.js';
import { GatewayError } from '../../errors/gateway-error.js';
import {
  jsonTextLeaves,
  jsonValueLeaves,
  MAX_JSON_SLOT_LEAVES,
  type JsonLeaf,
} from './slots-json.js';

/**
 * Every caller-controlled text field of a request body, per endpoint, readable and writable
 * in place, so each input guard is endpoint-agnostic. Covers OpenAI chat (string or content
 * parts, tool-call arguments), Responses (`input` string or items, `instructions`,
 * function calls and their outputs), embeddings (`input` strings) and Anthropic messages
 * (`system` string or blocks, text, tool-use and tool-result blocks). Tool-call arguments
 * (JSON text), tool results that are JSON text, and tool-use inputs (JSON values) give one
 * slot per string value and per key, decoded (`\u0040` is `@` to the detectors); text that is
 * not JSON is one slot.
 */

export type SlotRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export interface TextSlot {
  /** JSON path for error params, e.g. `messages[2].content[0].text`. */
  readonly path: string;
  readonly role: SlotRole;
  readonly text: string;
  /** Text around the slot that detectors see but never rewrite (a JSON value's key). */
  readonly context?: { readonly before: string; readonly after: string };
  set(text: string): void;
}

/**
 * What `find` reports in a slot's text, run over the text with its context, so a keyword rule
 * (`"password": "…"`) or a name field (`"recipient": "…"`) still sees its key. Findings are
 * clipped to the slot's own text.
 */
export function findInSlot<F extends { start: number; end: number }>(
  slot: TextSlot,
  find: (text: string) => readonly F[],
): F[] {
  const text = slot.text;
  const c = slot.context;
  if (c === undefined) return [...find(text)];
  const from = c.before.length;
  const to = from + text.length;
  const out: F[] = [];
  for (const f of find(c.before + text + c.after)) {
    const start = Math.max(f.start, from);
    const end = Math.min(f.end, to);
    if (end > start) out.push({ ...f, start: start - from, end: end - from });
  }
  return out;
}

type Holder = JsonObject | unknown[];

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function roleOf(value: unknown, fallback: SlotRole = 'user'): SlotRole {
  switch (value) {
    case 'system':
    case 'developer':
    case 'user':
    case 'assistant':
    case 'tool':
      return value;
    case 'function':
      return 'tool';
    default:
      return fallback;
  }
}

/** A JSON leaf as a slot (its text read live, not copied): a class, as `FieldSlot` below. */
class LeafSlot implements TextSlot {
  readonly path: string;
  readonly context?: { readonly before: string; readonly after: string };
  readonly #leaf: JsonLeaf;

  constructor(
    leaf: JsonLeaf,
    readonly role: SlotRole,
  ) {
    this.#leaf = leaf;
    this.path = leaf.path;
    if (leaf.context !== undefined) this.context = leaf.context;
  }

  get text(): string {
    return this.#leaf.text;
  }

  set(text: string): void {
    this.#leaf.set(text);
  }
}

/**
 * A string field of the body as a slot: one small object per field, its accessors shared (a
 * request has a slot per message, and object literals with a getter cost a closure each).
 */
class FieldSlot implements TextSlot {
  readonly #record: Record<string | number, unknown>;
  readonly #key: string | number;

  constructor(
    readonly path: string,
    readonly role: SlotRole,
    record: Record<string | number, unknown>,
    key: string | number,
  ) {
    this.#record = record;
    this.#key = key;
  }

  get text(): string {
    return this.#record[this.#key] as string;
  }

  set(text: string): void {
    this.#record[this.#key] = text;
  }
}

class Collector {
  readonly slots: TextSlot[] = [];

  add(holder: Holder, key: string | number, path: string, role: SlotRole): void {
    const record = holder as Record<string | number, unknown>;
    if (typeof record[key] !== 'string') return;
    this.slots.push(new FieldSlot(path, role, record, key));
  }

  leaves(leaves: readonly JsonLeaf[], role: SlotRole): void {
    for (const l of leaves) this.slots.push(new LeafSlot(l, role));
  }

  /** A field that may hold JSON text (tool-call arguments, tool results). */
  jsonText(holder: Holder, key: string | number, path: string, role: SlotRole): void {
    const record = holder as Record<string | number, unknown>;
    const text = record[key];
    if (typeof text !== 'string') return;
    const leaves = jsonTextLeaves(text, path, (t) => (record[key] = t));
    if (leaves === undefined) this.add(holder, key, path, role);
    else this.leaves(leaves, role);
  }

  /** Tool results are often JSON: decoded like arguments; other text as it is. */
  text(holder: Holder, key: string | number, path: string, role: SlotRole): void {
    if (role === 'tool') this.jsonText(holder, key, path, role);
    else this.add(holder, key, path, role);
  }

  /** A content field: a string, or an array of parts with a `text` (or nested tool content). */
  content(holder: JsonObject, key: string, path: string, role: SlotRole): void {
    const value = holder[key];
    if (typeof value === 'string') {
      this.text(holder, key, `${path}.${key}`, role);
      return;
    }
    if (!Array.isArray(value)) return;
    value.forEach((part, i) => {
      if (typeof part === 'string') {
        this.text(value, i, `${path}.${key}[${i}]`, role);
        return;
      }
      if (!isObject(part)) return;
      const at = `${path}.${key}[${i}]`;
      this.text(part, 'text', `${at}.text`, role);
      if (part.type === 'tool_result') this.content(part, 'content', at, 'tool');
      if (part.type === 'tool_use') this.leaves(toolInputLeaves(part.input, `${at}.input`), role);
    });
  }
}

function chat(body: JsonObject, c: Collector): void {
  const messages = body.messages;
  if (!Array.isArray(messages)) return;
  messages.forEach((m, i) => {
    if (!isObject(m)) return;
    const role = roleOf(m.role);
    c.content(m, 'content', `messages[${i}]`, role);
    if (Array.isArray(m.tool_calls)) {
      m.tool_calls.forEach((call, j) => {
        const fn = isObject(call) ? call.function : undefined;
        if (isObject(fn))
          c.jsonText(fn, 'arguments', `messages[${i}].tool_calls[${j}].function.arguments`, role);
      });
    }
    if (isObject(m.function_call))
      c.jsonText(m.function_call, 'arguments', `messages[${i}].function_call.arguments`, role);
  });
}

function responses(body: JsonObject, c: Collector): void {
  c.add(body, 'instructions', 'instructions', 'developer');
  const input = body.input;
  if (typeof input === 'string') {
    c.add(body, 'input', 'input', 'user');
    return;
  }
  if (!Array.isArray(input)) return;
  input.forEach((item, i) => {
    if (!isObject(item)) return;
    const at = `input[${i}]`;
    if (item.type === 'function_call_output') c.jsonText(item, 'output', `${at}.output`, 'tool');
    else if (item.type === 'function_call')
      c.jsonText(item, 'arguments', `${at}.arguments`, 'assistant');
    else c.content(item, 'content', at, roleOf(item.role));
  });
}

function embeddings(body: JsonObject, c: Collector): void {
  const input = body.input;
  if (typeof input === 'string') c.add(body, 'input', 'input', 'user');
  else if (Array.isArray(input)) input.forEach((_, i) => c.add(input, i, `input[${i}]`, 'user'));
}

function messages(body: JsonObject, c: Collector): void {
  const system = body.system;
  if (typeof system === 'string') c.add(body, 'system', 'system', 'system');
  else if (Array.isArray(system)) {
    system.forEach((block, i) => {
      if (isObject(block)) c.add(block, 'text', `system[${i}].text`, 'system');
    });
  }
  const list = body.messages;
  if (!Array.isArray(list)) return;
  list.forEach((m, i) => {
    if (isObject(m)) c.content(m, 'content', `messages[${i}]`, roleOf(m.role));
  });
}

const WALKERS: Record<Endpoint, (body: JsonObject, c: Collector) => void> = {
  chat_completions: chat,
  responses,
  embeddings,
  messages,
};

/** The text slots of `body`, in document order; `text` always reads the current value. */
export function collectTextSlots(endpoint: Endpoint, body: JsonObject): TextSlot[] {
  const c = new Collector();
  WALKERS[endpoint](body, c);
  return c.slots;
}

/** Messages or input items in the request (for the message cap). */
export function countMessages(endpoint: Endpoint, body: JsonObject): number {
  const list =
    endpoint === 'chat_completions' || endpoint === 'messages' ? body.messages : body.input;
  return Array.isArray(list) ? list.length : 1;
}

/** A tool input too large to screen field by field is refused, never passed unscreened. */
function toolInputLeaves(input: unknown, path: string): JsonLeaf[] {
  const leaves = jsonValueLeaves(input, path);
  if (leaves !== undefined) return leaves;
  throw new GatewayError('invalid_request', {
    message: `A tool input may hold at most ${MAX_JSON_SLOT_LEAVES} strings and keys to be screened.`,
    param: path,
  });
}
