import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  CL100K_TOKEN_SPLIT_REGEX,
  O200K_TOKEN_SPLIT_REGEX,
} from 'gpt-tokenizer/encodingParams/constants';
import type { Endpoint, JsonObject } from '../providers/types.js';
import { countBpe, SEGMENT_MAX_CHARS, type BpeEncoder } from './bpe-count.js';
import { loadBpeTable, type EncodingName } from './bpe-table.js';

/**
 * Prompt token counting for budgets and token rate limits.
 *
 * OpenAI models are counted with their real BPE encoding (`o200k_base` for GPT-4o, GPT-4.1,
 * GPT-5 and the o-series; `cl100k_base` for GPT-4, GPT-3.5 and the embedding models), plus
 * OpenAI's chat framing of 3 tokens per message and 3 to prime the reply. Every other model
 * (Anthropic, Gemini, unknown) is estimated as UTF-8 bytes / `estimateBytesPerToken` (default
 * 3, above the real count for English prose and code) plus 3 per message. Images, audio and
 * files count nothing: the estimate covers text only.
 *
 * Each encoding's table (bpe-table.ts, about 5 MiB for `o200k_base`) loads on the first prompt
 * that needs it, not at start, in slices with event-loop turns between them, so an idle gateway
 * or one that serves no OpenAI model never holds it and other callers are served while it
 * loads; the prompts that need it wait for it (about a second). With `tokenCounting: estimate`
 * no table loads: OpenAI models are estimated like every other model.
 *
 * Counting is linear in the prompt (see bpe-count.ts). A prompt longer than
 * `SYNC_MAX_CHARS` is counted in slices with an event-loop turn between them, so health checks
 * and other callers are served while it is counted; one longer than `exactTokenizeMaxChars`
 * is not tokenized at all but charged one token per UTF-8 byte, a bound no BPE over bytes can
 * exceed, so a huge prompt can cost its sender more than it should but never less.
 */
export type { EncodingName };

export interface TokenCounterOptions {
  /** `exact`: BPE for OpenAI models; `estimate`: UTF-8 bytes / estimateBytesPerToken for all. */
  tokenCounting?: 'exact' | 'estimate';
  estimateBytesPerToken: number;
  exactTokenizeMaxChars: number;
}

export interface TokenCounter {
  /** Synchronous for short prompts once the encodings are loaded; otherwise a promise. */
  countPrompt(endpoint: Endpoint, body: JsonObject, model: string): number | Promise<number>;
  /** Loads both encodings now (about a second, once per process); otherwise on first use. */
  preload(): Promise<void>;
}

const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMING = 3;
/** Prompts up to this many characters are counted in one go: about 20 ms at worst. */
const SYNC_MAX_CHARS = 16_384;

const SPLIT_REGEX: Record<EncodingName, RegExp> = {
  o200k_base: O200K_TOKEN_SPLIT_REGEX,
  cl100k_base: CL100K_TOKEN_SPLIT_REGEX,
};

export function encodingFor(model: string): EncodingName | undefined {
  const m = model.toLowerCase();
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o|gpt-oss)/.test(m)) return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5|text-embedding-)/.test(m)) return 'cl100k_base';
  return undefined;
}

const loading: Partial<Record<EncodingName, Promise<BpeEncoder>>> = {};
const loaded: Partial<Record<EncodingName, BpeEncoder>> = {};

/** One encoding's table, loaded once per process on first use (bpe-table.ts). */
function loadEncoder(encoding: EncodingName): Promise<BpeEncoder> {
  // A failed load (an unreadable file) is retried by the next prompt that needs the table.
  loading[encoding] ??= loadBpeTable(encoding, SPLIT_REGEX[encoding]).then(
    (encoder) => (loaded[encoding] = encoder),
    (err: unknown) => {
      loading[encoding] = undefined;
      throw err;
    },
  );
  return loading[encoding];
}

/**
 * Repeated texts (system prompts, tool schemas) are counted once; short ones only, so the
 * cache holds at most 10,000 × 1,024 characters per encoding.
 */
const CACHE_MAX_ENTRIES = 10_000;
const CACHE_MAX_CHARS = 1_024;

type Counting = Generator<void, number, void>;

function finish(counting: Counting): number {
  for (;;) {
    const step = counting.next();
    if (step.done) return step.value;
  }
}

async function finishSliced(counting: Counting): Promise<number> {
  for (;;) {
    const step = counting.next();
    if (step.done) return step.value;
    await nextTurn();
  }
}

export function createTokenCounter(opts: TokenCounterOptions): TokenCounter {
  const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');
  const estimate = (text: string) => Math.ceil(utf8Bytes(text) / opts.estimateBytesPerToken);
  const exact = opts.tokenCounting !== 'estimate';
  const caches = { o200k_base: new Map<string, number>(), cl100k_base: new Map<string, number>() };

  function* tokenize(encoding: EncodingName, encoder: BpeEncoder, text: string): Counting {
    if (text.length > CACHE_MAX_CHARS) return yield* countBpe(encoder, SPLIT_REGEX[encoding], text);
    const cache = caches[encoding];
    let n = cache.get(text);
    if (n === undefined) {
      n = finish(countBpe(encoder, SPLIT_REGEX[encoding], text));
      if (cache.size >= CACHE_MAX_ENTRIES) cache.clear();
      cache.set(text, n);
    }
    return n;
  }

  function framing(pieces: PromptPieces): number {
    const replyPriming = pieces.messages > 0 ? REPLY_PRIMING : 0;
    return pieces.tokenArrays + pieces.messages * TOKENS_PER_MESSAGE + replyPriming;
  }

  function* count(pieces: PromptPieces, encoding: EncodingName, encoder: BpeEncoder): Counting {
    let total = framing(pieces);
    // Many short texts (2,000 messages of 1,000 characters) yield as often as one long one.
    let sinceTurn = 0;
    for (const text of pieces.texts) {
      total += yield* tokenize(encoding, encoder, text);
      sinceTurn += text.length;
      if (sinceTurn >= SEGMENT_MAX_CHARS) {
        sinceTurn = 0;
        yield;
      }
    }
    return total;
  }

  function bounded(pieces: PromptPieces, perText: (text: string) => number): number {
    return pieces.texts.reduce((n, text) => n + perText(text), framing(pieces));
  }

  return {
    countPrompt(endpoint, body, model) {
      const pieces = promptPieces(endpoint, body);
      const encoding = exact ? encodingFor(model) : undefined;
      if (encoding === undefined) return bounded(pieces, estimate);
      const chars = pieces.texts.reduce((n, t) => n + t.length, 0);
      if (chars > opts.exactTokenizeMaxChars) return bounded(pieces, utf8Bytes);
      const encoder = loaded[encoding];
      if (encoder !== undefined && chars <= SYNC_MAX_CHARS) {
        return finish(count(pieces, encoding, encoder));
      }
      return loadEncoder(encoding).then((loadedEncoder) =>
        finishSliced(count(pieces, encoding, loadedEncoder)),
      );
    },
    async preload() {
      if (exact) await Promise.all([loadEncoder('o200k_base'), loadEncoder('cl100k_base')]);
    },
  };
}

export interface PromptPieces {
  texts: string[];
  messages: number;
  /** Embedding inputs given as token id arrays count one token per id. */
  tokenArrays: number;
}

/** Every text a provider bills as prompt, per endpoint. Unknown shapes count as their JSON. */
export function promptPieces(endpoint: Endpoint, body: JsonObject): PromptPieces {
  const out: PromptPieces = { texts: [], messages: 0, tokenArrays: 0 };
  switch (endpoint) {
    case 'chat_completions':
    case 'messages':
      addText(out, body.system);
      if (body.system !== undefined) out.messages += 1;
      addMessages(out, body.messages);
      break;
    case 'responses':
      addText(out, body.instructions);
      if (typeof body.input === 'string') {
        out.texts.push(body.input);
        out.messages += 1;
      } else addMessages(out, body.input);
      break;
    case 'embeddings':
      addEmbeddingInput(out, body.input);
      break;
  }
  if (body.tools !== undefined) out.texts.push(JSON.stringify(body.tools));
  return out;
}

function addMessages(out: PromptPieces, messages: unknown): void {
  if (!Array.isArray(messages)) return;
  for (const message of messages as unknown[]) {
    out.messages += 1;
    if (typeof message !== 'object' || message === null) continue;
    const m = message as JsonObject;
    if (typeof m.role === 'string') out.texts.push(m.role);
    if (typeof m.name === 'string') out.texts.push(m.name);
    addText(out, m.content);
    if (m.tool_calls !== undefined) out.texts.push(JSON.stringify(m.tool_calls));
  }
}

/** A string, or an array of blocks: text blocks by their text, tool blocks by their JSON. */
function addText(out: PromptPieces, content: unknown): void {
  if (typeof content === 'string') {
    out.texts.push(content);
    return;
  }
  if (!Array.isArray(content)) return;
  for (const block of content as unknown[]) {
    if (typeof block === 'string') out.texts.push(block);
    if (typeof block !== 'object' || block === null) continue;
    const b = block as JsonObject;
    if (typeof b.text === 'string') out.texts.push(b.text);
    else if (b.type === 'tool_use' || b.type === 'function_call') out.texts.push(JSON.stringify(b));
    else if (b.type === 'tool_result') addText(out, b.content);
  }
}

function addEmbeddingInput(out: PromptPieces, input: unknown): void {
  if (typeof input === 'string') out.texts.push(input);
  if (!Array.isArray(input)) return;
  for (const item of input as unknown[]) {
    if (typeof item === 'string') out.texts.push(item);
    else if (typeof item === 'number') out.tokenArrays += 1;
    else if (Array.isArray(item)) out.tokenArrays += item.length;
  }
}
