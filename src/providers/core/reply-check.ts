import { randomBytes } from 'node:crypto';
import { GatewayError } from '../../errors/gateway-error.js';
import { scrubber } from '../../log/scrub.js';
import type { JsonObject } from '../types.js';

/**
 * Checks on what a provider sends back before any of it reaches a caller: a hostile or buggy
 * upstream must not get text of its choosing (its own key, say) past the gateway in the
 * fields the output guard does not read. Identifiers a client displays or logs (`id`,
 * `model`, `system_fingerprint`, also inside `message` and `response`; a choice's `role`,
 * tool-call `id` and function `name`, `function_call.name`, `audio.id`; a content block's
 * `id` and `name`) must have the shape of an identifier and nothing credential-like, else
 * they are replaced; an error the
 * provider reports inside a 200 reply or a stream becomes our typed error, its text dropped.
 */

/** Identifiers as providers make them: `chatcmpl-…`, `msg_…`, `fp_…`, `org/model:tag`. */
const SAFE_IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,255}$/;
const IDENTIFIER_FIELDS = ['id', 'model', 'system_fingerprint'] as const;
/** Objects whose identifiers are checked too (Anthropic `message_start`, Responses events). */
const NESTED = ['message', 'response'] as const;
/** A stream with more distinct identifiers than this checks the rest every time. */
const MAX_SAFE_REMEMBERED = 16;

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when `value` can go to a caller as an identifier. */
export function isSafeIdentifier(value: string): boolean {
  return SAFE_IDENTIFIER.test(value) && scrubber.scrub(value) === value;
}

/**
 * Replaces unsafe identifiers in one reply or stream. The same bad value gets the same
 * replacement throughout a stream, so a client that groups chunks by `id` still can.
 */
export class IdentifierCheck {
  /** Made on the first bad value: most replies have none. */
  #replaced: Map<string, string> | undefined;
  /** Values already found safe: a stream repeats its `id`, `model` and fingerprint in every event. */
  #safe: Set<string> | undefined;

  /** Fixes `json` in place; true when something changed. */
  fix(json: JsonObject): boolean {
    let isChanged = this.#fixFields(json);
    for (const key of NESTED) {
      const inner = json[key];
      if (isObject(inner) && this.#fixFields(inner)) isChanged = true;
    }
    if (Array.isArray(json.choices) && this.#fixChoices(json.choices)) isChanged = true;
    const block = json.content_block;
    if (isObject(block) && this.#fixNamed(block, 'id', 'name')) isChanged = true;
    return isChanged;
  }

  /**
   * The names a chat reply or chunk carries beside its text, which the output guard takes as
   * given: each choice's `role`, its tool calls' `id` and function `name`, the legacy
   * `function_call.name` and the `audio.id`.
   */
  #fixChoices(choices: unknown[]): boolean {
    let isChanged = false;
    for (const choice of choices) {
      if (!isObject(choice)) continue;
      const holder = isObject(choice.delta) ? choice.delta : choice.message;
      if (!isObject(holder)) continue;
      if (this.#fixNamed(holder, 'role')) isChanged = true;
      if (Array.isArray(holder.tool_calls))
        for (const call of holder.tool_calls as unknown[]) {
          if (!isObject(call)) continue;
          if (this.#fixNamed(call, 'id')) isChanged = true;
          if (isObject(call.function) && this.#fixNamed(call.function, 'name')) isChanged = true;
        }
      if (isObject(holder.function_call) && this.#fixNamed(holder.function_call, 'name'))
        isChanged = true;
      if (isObject(holder.audio) && this.#fixNamed(holder.audio, 'id')) isChanged = true;
    }
    return isChanged;
  }

  /**
   * Replaces each of `fields` of `holder` that is a string and no safe identifier (an empty
   * one is left: some servers send `""` for the name of every chunk after a call's first).
   */
  #fixNamed(holder: JsonObject, ...fields: string[]): boolean {
    let isChanged = false;
    for (const field of fields) {
      const value = holder[field];
      if (typeof value !== 'string' || value === '' || this.#isSafe(value)) continue;
      holder[field] = field === 'role' ? 'assistant' : this.#replacement(field, value);
      isChanged = true;
    }
    return isChanged;
  }

  #fixFields(holder: JsonObject): boolean {
    let isChanged = false;
    for (const field of IDENTIFIER_FIELDS) {
      const value = holder[field];
      if (value === undefined || value === null) continue;
      if (typeof value === 'string' && this.#isSafe(value)) continue;
      holder[field] = field === 'system_fingerprint' ? null : this.#replacement(field, value);
      isChanged = true;
    }
    return isChanged;
  }

  #isSafe(value: string): boolean {
    if (this.#safe?.has(value) === true) return true;
    if (!isSafeIdentifier(value)) return false;
    const safe = (this.#safe ??= new Set<string>());
    if (safe.size < MAX_SAFE_REMEMBERED) safe.add(value);
    return true;
  }

  #replacement(field: string, value: unknown): string {
    if (field === 'model') return 'unknown';
    const key = typeof value === 'string' ? value : JSON.stringify(value);
    const replaced = (this.#replaced ??= new Map<string, string>());
    let next = replaced.get(key);
    if (next === undefined) {
      next = `bastion-${randomBytes(12).toString('hex')}`;
      replaced.set(key, next);
    }
    return next;
  }
}

/**
 * The error a provider reported in a reply or stream event, as our code (its message is
 * never used: it is text of the provider's choosing). `undefined` when there is none.
 */
export function reportedError(json: JsonObject): GatewayError | undefined {
  const isError = json.type === 'error' || json.type === 'response.failed' || isObject(json.error);
  if (!isError) return undefined;
  const error = isObject(json.error) ? json.error : undefined;
  const kind = typeof error?.type === 'string' ? error.type : undefined;
  if (kind === 'overloaded_error') return new GatewayError('upstream_overloaded');
  return new GatewayError('upstream_error', {
    message: 'The provider reported an error during the reply.',
  });
}

/** A stream event's data as a JSON object, or undefined when it is not one. */
export function parseObject(data: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(data);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
