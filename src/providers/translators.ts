import { anthropicTranslator } from './anthropic/translator.js';
import { bedrockPath, bedrockTranslator } from './bedrock/translator.js';
import { geminiPath, geminiTranslator } from './gemini/translator.js';
import type { CallerTranslator, ProviderTranslation } from './core/translator.js';
import { openAiChatTranslator, openAiResponsesTranslator } from './openai/translator.js';
import type { Endpoint, ProviderKind } from './types.js';

/**
 * How the gateway reaches each provider kind when the caller's format is not the provider's
 * own (the upstream stage looks the target's kind up here). One line per kind; a kind with
 * no entry is reached only by callers of its own format.
 */
export const providerTranslations: ReadonlyMap<ProviderKind, ProviderTranslation> = new Map<
  ProviderKind,
  ProviderTranslation
>([
  ['openai', { endpoint: 'chat_completions', translator: openAiChatTranslator }],
  ['azure-openai', { endpoint: 'chat_completions', translator: openAiChatTranslator }],
  ['gemini', { endpoint: 'chat_completions', translator: geminiTranslator, path: geminiPath }],
  ['bedrock', { endpoint: 'chat_completions', translator: bedrockTranslator, path: bedrockPath }],
  ['anthropic', { endpoint: 'messages', translator: anthropicTranslator }],
]);

/** The caller's side of each proxied route that can be translated (embeddings cannot). */
export const callerTranslators: ReadonlyMap<Endpoint, CallerTranslator> = new Map<
  Endpoint,
  CallerTranslator
>([
  ['chat_completions', openAiChatTranslator],
  ['responses', openAiResponsesTranslator],
  ['messages', anthropicTranslator],
]);
