/**
 * The mock's token count: deterministic and documented so tests can predict it, not a real
 * tokenizer. "Characters" are UTF-16 code units (`string.length`).
 *
 * - prompt tokens = Σ ceil(chars / 4) over every text piece in the request, plus 3 per message.
 *   Text pieces are the system prompt (chat `system`/`developer` messages, Anthropic `system`,
 *   Responses `instructions`) and each message's text (a string, or each text block of an
 *   array). A system prompt given outside `messages` counts as one message. Non-text blocks
 *   (images, tool calls) count nothing.
 * - embeddings prompt tokens = Σ ceil(chars / 4) over the inputs (no per-message overhead).
 * - completion tokens = max(1, ceil(reply chars / 4)).
 */
export const TOKENS_PER_MESSAGE = 3;

export function estimateTextTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function estimatePromptTokens(texts: readonly string[], messageCount: number): number {
  let total = messageCount * TOKENS_PER_MESSAGE;
  for (const text of texts) total += estimateTextTokens(text);
  return total;
}

export function estimateCompletionTokens(reply: string): number {
  return Math.max(1, estimateTextTokens(reply));
}

/** What the prompt count and the default reply need from a request. */
export interface PromptSummary {
  texts: string[];
  messageCount: number;
  /** Text of the last user message, for the default echo reply. */
  lastUserText: string;
}

const TEXT_BLOCK_TYPES = new Set(['text', 'input_text', 'output_text']);

/** Text pieces of a message `content`: a string, or an array of `{type, text}` blocks. */
export function contentTexts(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  const texts: string[] = [];
  for (const block of content as unknown[]) {
    if (typeof block !== 'object' || block === null) continue;
    const { type, text } = block as { type?: unknown; text?: unknown };
    if (
      typeof text === 'string' &&
      (type === undefined || (typeof type === 'string' && TEXT_BLOCK_TYPES.has(type)))
    ) {
      texts.push(text);
    }
  }
  return texts;
}

/** Summarises a list of `{role, content}` messages (plus an out-of-band system prompt). */
export function summarizeMessages(messages: readonly unknown[], system?: unknown): PromptSummary {
  const texts: string[] = [];
  let messageCount = 0;
  let lastUserText = '';
  const systemTexts = contentTexts(system);
  if (systemTexts.length > 0) {
    texts.push(...systemTexts);
    messageCount += 1;
  }
  for (const message of messages) {
    messageCount += 1;
    if (typeof message !== 'object' || message === null) continue;
    const { role, content } = message as { role?: unknown; content?: unknown };
    const pieces = contentTexts(content);
    texts.push(...pieces);
    if (role === 'user') lastUserText = pieces.join('\n');
  }
  return { texts, messageCount, lastUserText };
}

/** Splits a reply into chunks of `size` characters (code points, so no emoji is cut in two). */
export function splitReply(reply: string, size: number): string[] {
  const chars = Array.from(reply);
  const chunks: string[] = [];
  for (let i = 0; i < chars.length; i += size) chunks.push(chars.slice(i, i + size).join(''));
  return chunks;
}
