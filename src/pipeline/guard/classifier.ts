import { z } from 'zod';
import { postJsonCapped } from './post-json-capped.js';

/** An external prompt-injection classifier: text in, a score from 0 to 1 out. */
export interface InjectionClassifier {
  classify(input: { text: string; localScore: number }, signal: AbortSignal): Promise<number>;
}

const MAX_TEXT_CHARS = 64 * 1024;
const MAX_REPLY_BYTES = 16 * 1024;
const reply = z.looseObject({ score: z.number().min(0).max(1) });

/**
 * POSTs `{"text", "localScore"}` to `url` and reads `{"score"}`. Any failure (network,
 * status, shape, timeout) rejects; the stage decides whether that fails open or closed.
 */
export function createHttpClassifier(opts: {
  url: string;
  timeoutMs: number;
}): InjectionClassifier {
  const post = { timeoutMs: opts.timeoutMs, maxReplyBytes: MAX_REPLY_BYTES };
  return {
    async classify(input, signal) {
      const body = { text: input.text.slice(0, MAX_TEXT_CHARS), localScore: input.localScore };
      return reply.parse(await postJsonCapped(opts.url, body, post, signal)).score;
    },
  };
}
