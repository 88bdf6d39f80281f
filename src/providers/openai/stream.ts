import { createCheckedTap } from '../core/stream-check.js';
import type { Endpoint, JsonObject, StreamTap, Usage } from '../types.js';
import { usageFromOpenAiJson } from './usage.js';

/**
 * Chat streams end with `data: [DONE]`; with `include_usage` the chunk before it has empty
 * `choices` and the usage. Responses streams end with `response.completed`, whose `response`
 * carries the usage. Every event passes the shared stream check first; nothing after the end
 * marker or a failed check is forwarded.
 */
export function createOpenAiStreamTap(
  endpoint: Endpoint,
  opts: { isUsageRequestedByCaller: boolean },
): StreamTap {
  let usage: Usage | undefined;
  let isComplete = false;

  function keep(json: JsonObject | undefined): boolean {
    if (json === undefined) {
      isComplete = true; // `[DONE]` (the check passes no other non-JSON data)
      return true;
    }
    if (endpoint === 'responses') {
      if (json.type === 'response.completed' || json.type === 'response.incomplete') {
        isComplete = true;
        usage = usageFromOpenAiJson(endpoint, json.response) ?? usage;
      }
      return true;
    }
    const found = usageFromOpenAiJson(endpoint, json);
    if (found === undefined) return true;
    usage = found;
    const choices = json.choices;
    const isUsageOnly = Array.isArray(choices) && choices.length === 0;
    return opts.isUsageRequestedByCaller || !isUsageOnly;
  }

  return createCheckedTap({
    onEvent: keep,
    get usage() {
      return usage;
    },
    get isComplete() {
      return isComplete;
    },
  });
}
