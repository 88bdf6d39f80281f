import { request } from 'undici';
import { z } from 'zod';

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
  return {
    async classify(input, signal) {
      const res = await request(opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          text: input.text.slice(0, MAX_TEXT_CHARS),
          localScore: input.localScore,
        }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs)]),
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_REPLY_BYTES) throw new Error('classifier reply too large');
        chunks.push(chunk as Buffer);
      }
      if (res.statusCode !== 200) throw new Error(`classifier status ${res.statusCode}`);
      return reply.parse(JSON.parse(Buffer.concat(chunks).toString('utf8'))).score;
    },
  };
}
