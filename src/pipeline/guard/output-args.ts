import { GatewayError } from '../../errors/gateway-error.js';
import { MAX_JSON_DEPTH } from './json-depth.js';
import { jsonTextLeaves, jsonValueLeaves, MAX_JSON_SLOT_LEAVES } from './slots-json.js';

/**
 * Tool-call arguments in a whole (non-streamed) reply. Arguments are JSON text and go through
 * the same arguments filter a stream's argument deltas do, so both give the same result; a
 * JSON value (Anthropic `tool_use.input`) has each string and key rewritten in place.
 */

export interface ArgsRewrite {
  /** Whole arguments text, through the JSON-text filter. */
  readonly args: (text: string) => string;
  /** One decoded string, through the text filter without HTML escaping. */
  readonly value: (text: string) => string;
}

/** Whether a parsed value nests deeper than `max` arrays or objects (no recursion). */
function nestsDeeper(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [v, depth] = top;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Rewrites every string and key of `value` in place; true when one changed. A value nested
 * deeper than any request may be (an upstream's, unchecked) is refused, never walked.
 */
export function rewriteJsonValue(value: unknown, plain: (t: string) => string): boolean {
  if (nestsDeeper(value, MAX_JSON_DEPTH))
    throw new GatewayError('upstream_bad_response', {
      message: `The provider sent tool input nested deeper than ${MAX_JSON_DEPTH} levels.`,
    });
  const leaves = jsonValueLeaves(value, '');
  if (leaves === undefined)
    throw new GatewayError('upstream_bad_response', {
      message: `The provider sent tool input with more than ${MAX_JSON_SLOT_LEAVES} strings and keys.`,
    });
  let isChanged = false;
  for (const leaf of leaves) {
    const next = plain(leaf.text);
    if (next === leaf.text) continue;
    leaf.set(next);
    isChanged = true;
  }
  return isChanged;
}

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/**
 * Whole arguments text rewritten. Should a replacement ever have spanned a quote and broken
 * JSON that was valid, the decoded values are rewritten instead: the tool never gets JSON the
 * model did not break itself, and nothing is let through unscanned.
 */
export function rewriteArgsText(text: string, r: ArgsRewrite): string {
  const out = r.args(text);
  if (out === text || isJson(out) || !isJson(text)) return out;
  let result = out;
  const leaves = jsonTextLeaves(text, '', (t) => (result = t));
  if (leaves === undefined) return out;
  for (const leaf of leaves) {
    const next = r.value(leaf.text);
    if (next !== leaf.text) leaf.set(next);
  }
  return result === out ? text : result;
}

/**
 * Every field of `holder` that `isKnown` does not claim, screened whole: a string value, every
 * string and key of any other value, and the field's name. True when one changed. The fields
 * a provider adds to a message, choice or delta (or a compatible server's own) carry text the
 * guard has no handler for; they must not reach the caller unscreened.
 */
export function rewriteUnknownFields(
  holder: Record<string, unknown>,
  isKnown: (field: string) => boolean,
  plain: (t: string) => string,
): boolean {
  let isChanged = false;
  for (const field of Object.keys(holder)) {
    if (isKnown(field)) continue;
    const value = holder[field];
    if (typeof value === 'string') {
      const next = plain(value);
      if (next !== value) {
        holder[field] = next;
        isChanged = true;
      }
    } else if (typeof value === 'object' && value !== null && rewriteInPlace(value as Node, plain))
      isChanged = true;
    const name = plain(field);
    if (name === field) continue;
    const rewritten = holder[field];
    delete holder[field];
    holder[name] = rewritten;
    isChanged = true;
  }
  return isChanged;
}

/**
 * What a chat message's or delta's `tool_calls` carries besides what has a check of its own
 * (each call's `function.arguments` string: the arguments filter; its `id` and
 * `function.name`: the identifier check in src/providers/core/reply-check.ts): every other
 * field of a call or of its function, and an entry that is no object, screened whole. A
 * hostile or buggy server must not carry text past the guard there. True when one changed.
 */
export function rewriteToolCallFields(calls: unknown[], plain: (t: string) => string): boolean {
  let isChanged = false;
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i];
    if (typeof call === 'string') {
      const next = plain(call);
      if (next !== call) {
        calls[i] = next;
        isChanged = true;
      }
    } else if (Array.isArray(call)) {
      if (rewriteInPlace(call, plain)) isChanged = true;
    } else if (typeof call === 'object' && call !== null) {
      const holder = call as Record<string, unknown>;
      const fn = holder.function;
      const hasFunction = typeof fn === 'object' && fn !== null && !Array.isArray(fn);
      if (
        rewriteUnknownFields(holder, (k) => k === 'id' || (k === 'function' && hasFunction), plain)
      )
        isChanged = true;
      if (hasFunction) {
        const f = fn as Record<string, unknown>;
        const isKnown = (k: string) =>
          k === 'name' || (k === 'arguments' && typeof f.arguments === 'string');
        if (rewriteUnknownFields(f, isKnown, plain)) isChanged = true;
      }
    }
  }
  return isChanged;
}

type Node = Record<string, unknown> | unknown[];

/**
 * `rewriteJsonValue` for the values `rewriteUnknownFields` screens on every chunk of a
 * stream: the same strings and keys rewritten in place and the same limits, walked without
 * building a slot (path and setter) per string, which cost a stream of Azure filter verdicts
 * several times its own CPU.
 */
function rewriteInPlace(root: Node, plain: (t: string) => string): boolean {
  let isChanged = false;
  let leaves = 0;
  const count = () => {
    if (++leaves > MAX_JSON_SLOT_LEAVES)
      throw new GatewayError('upstream_bad_response', {
        message: `The provider sent tool input with more than ${MAX_JSON_SLOT_LEAVES} strings and keys.`,
      });
  };
  const stack: [Node, number][] = [[root, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [node, depth] = top;
    if (depth > MAX_JSON_DEPTH)
      throw new GatewayError('upstream_bad_response', {
        message: `The provider sent tool input nested deeper than ${MAX_JSON_DEPTH} levels.`,
      });
    const isArray = Array.isArray(node);
    const obj = node as Record<string, unknown>;
    for (const key of isArray ? node.keys() : Object.keys(node)) {
      let value = isArray ? node[key as number] : obj[key as string];
      if (typeof value === 'string') {
        count();
        const next = plain(value);
        if (next !== value) {
          if (isArray) node[key as number] = next;
          else obj[key as string] = next;
          value = next;
          isChanged = true;
        }
      } else if (typeof value === 'object' && value !== null)
        stack.push([value as Node, depth + 1]);
      if (isArray) continue;
      count();
      const name = plain(key as string);
      if (name === key) continue;
      delete obj[key];
      obj[name] = value;
      isChanged = true;
    }
  }
  return isChanged;
}
