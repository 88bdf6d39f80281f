import { jsonTextLeaves, jsonValueLeaves } from './slots-json.js';

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

/** Rewrites every string and key of `value` in place; true when one changed. */
export function rewriteJsonValue(value: unknown, plain: (t: string) => string): boolean {
  let isChanged = false;
  for (const leaf of jsonValueLeaves(value, '')) {
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
