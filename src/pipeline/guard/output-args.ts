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
