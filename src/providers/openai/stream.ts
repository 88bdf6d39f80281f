import { SseSplitter } from '../core/sse.js';
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

  function keep(data: string): boolean {
    if (data === '[DONE]') {
      isComplete = true;
      return true;
    }
    if (endpoint === 'responses') {
      if (data.includes('"response.completed"') || data.includes('"response.incomplete"')) {
        isComplete = true;
        const parsed = tryParse(data);
        usage = usageFromOpenAiJson(endpoint, record(parsed)?.response) ?? usage;
      }
      return true;
    }
    if (!data.includes('"usage"')) return true;
    const chunk = record(tryParse(data));
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
      for (const event of events) if (keep(event.data)) out.push(event.raw);
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
