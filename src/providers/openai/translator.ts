import type { WireTranslator } from '../core/translator.js';
import { createChatStreamDecoder, createChatStreamEncoder } from './stream-chat.js';
import { createResponsesStreamDecoder, createResponsesStreamEncoder } from './stream-responses.js';
import { chatResponseFromCanonical, chatResponseToCanonical } from './reply-chat.js';
import { responsesResponseFromCanonical, responsesResponseToCanonical } from './reply-responses.js';
import { chatRequestFromCanonical, chatRequestToCanonical } from './translate-chat.js';
import {
  responsesRequestFromCanonical,
  responsesRequestToCanonical,
} from './translate-responses.js';

/** OpenAI Chat Completions: what OpenAI and every OpenAI-compatible provider is sent translated. */
export const openAiChatTranslator: WireTranslator = {
  format: 'openai_chat',
  requestToCanonical: chatRequestToCanonical,
  requestFromCanonical: chatRequestFromCanonical,
  responseToCanonical: chatResponseToCanonical,
  responseFromCanonical: chatResponseFromCanonical,
  createStreamDecoder: createChatStreamDecoder,
  createStreamEncoder: createChatStreamEncoder,
};

/** OpenAI Responses: a caller format (providers are reached through Chat Completions). */
export const openAiResponsesTranslator: WireTranslator = {
  format: 'openai_responses',
  requestToCanonical: responsesRequestToCanonical,
  requestFromCanonical: responsesRequestFromCanonical,
  responseToCanonical: responsesResponseToCanonical,
  responseFromCanonical: responsesResponseFromCanonical,
  createStreamDecoder: createResponsesStreamDecoder,
  createStreamEncoder: createResponsesStreamEncoder,
};
