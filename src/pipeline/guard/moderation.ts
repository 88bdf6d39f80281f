import { request } from 'undici';
import { z } from 'zod';

/** The verdict of an external output-moderation service. */
export interface ModerationVerdict {
  flagged: boolean;
  score?: number;
  categories?: string[];
}

/** An external moderation hook: assistant text in, a verdict out. */
export interface OutputModerator {
  moderate(text: string, signal: AbortSignal): Promise<ModerationVerdict>;
}

const MAX_TEXT_CHARS = 64 * 1024;
const MAX_REPLY_BYTES = 64 * 1024;
const own = z.looseObject({
  flagged: z.boolean(),
  score: z.number().min(0).max(1).optional(),
  categories: z.array(z.string()).optional(),
});
const openai = z.looseObject({
  results: z.array(z.looseObject({ flagged: z.boolean() })).min(1),
});

/** Accepts `{flagged, score?, categories?}` or OpenAI's `/v1/moderations` shape. */
export function parseModerationReply(body: unknown): ModerationVerdict {
  const mine = own.safeParse(body);
  if (mine.success) {
    const { flagged, score, categories } = mine.data;
    return {
      flagged,
      ...(score === undefined ? {} : { score }),
      ...(categories === undefined ? {} : { categories }),
    };
  }
  const first = openai.parse(body).results[0];
  return { flagged: first?.flagged === true };
}

/**
 * POSTs `{"input"}` to `url`. Any failure (network, status, shape, timeout) rejects; the
 * caller decides whether that fails open or closed. The text never appears in an error.
 */
export function createHttpModerator(opts: {
  url: string;
  timeoutMs: number;
  headers?: Record<string, string>;
}): OutputModerator {
  return {
    async moderate(text, signal) {
      const res = await request(opts.url, {
        method: 'POST',
        headers: { ...opts.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ input: text.slice(0, MAX_TEXT_CHARS) }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs)]),
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_REPLY_BYTES) throw new Error('moderation reply too large');
        chunks.push(chunk as Buffer);
      }
      if (res.statusCode !== 200) throw new Error(`moderation status ${res.statusCode}`);
      return parseModerationReply(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    },
  };
}
