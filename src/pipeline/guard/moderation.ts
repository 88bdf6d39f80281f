import { z } from 'zod';
import type { Secret } from '../../log/secret.js';
import { postJsonCapped } from './post-json-capped.js';

/** The verdict of an external output-moderation service. */
export interface ModerationVerdict {
  readonly flagged: boolean;
  readonly score?: number;
  /** Category names only (sanitised), for the audit row. */
  readonly categories: readonly string[];
}

/** An external moderation hook: assistant text in, a verdict out. */
export interface OutputModerator {
  moderate(text: string, signal: AbortSignal): Promise<ModerationVerdict>;
}

/** Longest text per call; a longer text is sent in several calls, in order. */
const MAX_MODERATION_CHARS = 64 * 1024;
const MAX_REPLY_BYTES = 16 * 1024;
/** A category name worth keeping in the audit row; anything else is dropped. */
const CATEGORY_NAME = /^[A-Za-z0-9_./-]{1,64}$/;
const MAX_CATEGORIES = 16;

const categories = z.union([z.array(z.string()), z.record(z.string(), z.boolean())]);
const own = z.looseObject({
  flagged: z.boolean(),
  score: z.number().min(0).max(1).optional(),
  categories: categories.optional(),
});
const openai = z.looseObject({
  results: z
    .array(
      z.looseObject({
        flagged: z.boolean(),
        categories: z.record(z.string(), z.boolean()).optional(),
        category_scores: z.record(z.string(), z.number()).optional(),
      }),
    )
    .min(1),
});

function names(raw: z.infer<typeof categories> | undefined): string[] {
  if (raw === undefined) return [];
  const all = Array.isArray(raw) ? raw : Object.keys(raw).filter((k) => raw[k] === true);
  return [...new Set(all.filter((n) => CATEGORY_NAME.test(n)))].sort().slice(0, MAX_CATEGORIES);
}

/** Accepts `{flagged, score?, categories?}` or OpenAI's `/v1/moderations` shape. */
export function parseModerationReply(body: unknown): ModerationVerdict {
  const mine = own.safeParse(body);
  if (mine.success) {
    const { flagged, score } = mine.data;
    return {
      flagged,
      ...(score === undefined ? {} : { score }),
      categories: names(mine.data.categories),
    };
  }
  const { results } = openai.parse(body);
  const flagged = results.some((r) => r.flagged);
  const cats: Record<string, boolean> = {};
  let score: number | undefined;
  for (const r of results) {
    for (const [name, on] of Object.entries(r.categories ?? {})) if (on) cats[name] = true;
    for (const s of Object.values(r.category_scores ?? {}))
      if (s >= 0 && s <= 1 && (score === undefined || s > score)) score = s;
  }
  return { flagged, ...(score === undefined ? {} : { score }), categories: names(cats) };
}

/**
 * POSTs `{"input"}` to `url` (OpenAI's moderation request shape), in pieces of at most 64 Ki
 * characters, stopping at the first flagged one. Any failure (network,
 * status, size, shape, timeout) rejects; the caller decides whether that fails open or
 * closed. Header values are secrets, revealed only here.
 */
export function createHttpModerator(opts: {
  url: string;
  timeoutMs: number;
  headers: Readonly<Record<string, Secret>>;
}): OutputModerator {
  const headerNames = Object.keys(opts.headers);
  return {
    async moderate(text, signal) {
      const headers: Record<string, string> = {};
      for (const name of headerNames) headers[name] = (opts.headers[name] as Secret).reveal();
      const post = { timeoutMs: opts.timeoutMs, maxReplyBytes: MAX_REPLY_BYTES, headers };
      // A longer text goes in pieces rather than cut: what is not sent is not moderated.
      let verdict: ModerationVerdict = { flagged: false, categories: [] };
      for (let at = 0; at === 0 || at < text.length; at += MAX_MODERATION_CHARS) {
        const input = text.slice(at, at + MAX_MODERATION_CHARS);
        verdict = parseModerationReply(await postJsonCapped(opts.url, { input }, post, signal));
        if (verdict.flagged) break;
      }
      return verdict;
    },
  };
}
