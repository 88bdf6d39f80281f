import { SseSplitter, type SseEvent } from '../core/sse.js';
import type { Endpoint, StreamTap, Usage } from '../types.js';
import { record, usageFromOpenAiJson } from './usage.js';

/**
 * Chat streams end with `data: [DONE]`; with `include_usage` the chunk before it has empty
 * `choices` and the usage. Responses streams end with `response.completed`, whose `response`
 * carries the usage. Only events that can carry usage are parsed.
 */
export function createOpenAiStreamTap(
  endpoint: Endpoint,
  opts: { isUsageRequestedByCaller: boolean },
): StreamTap {
  const splitter = new SseSplitter();
  let usage: Usage | undefined;
  let isComplete = false;

  function keep(event: SseEvent): boolean {
    if (event.has('[DONE]') && event.data === '[DONE]') {
      isComplete = true;
      return true;
    }
    if (endpoint === 'responses') {
      if (event.has('"response.completed"') || event.has('"response.incomplete"')) {
        isComplete = true;
        usage = usageFromOpenAiJson(endpoint, record(tryParse(event.data))?.response) ?? usage;
      }
      return true;
    }
    // Chunks carry `"usage":null` until the last one: parse only a real usage object.
    if (!event.has('"usage":{')) return true;
    const chunk = record(tryParse(event.data));
    const found = usageFromOpenAiJson(endpoint, chunk);
    if (found === undefined) return true;
    usage = found;
    const choices = chunk?.choices;
    const isUsageOnly = Array.isArray(choices) && choices.length === 0;
    return opts.isUsageRequestedByCaller || !isUsageOnly;
  }

  return {
    push(chunk: Buffer): Buffer {
      const events = splitter.push(chunk);
      if (events.length === 0) return Buffer.alloc(0);
      const out: Buffer[] = [];
      for (const event of events) if (keep(event)) out.push(event.raw);
      return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
    },
    flush(): Buffer {
      return splitter.rest();
    },
    get usage() {
      return usage;
    },
    get isComplete() {
      return isComplete;
    },
  };
}

function tryParse(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}
