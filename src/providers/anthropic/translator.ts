import type { WireTranslator } from '../core/translator.js';
import { createAnthropicStreamDecoder, createAnthropicStreamEncoder } from './stream-translate.js';
import { anthropicRequestFromCanonical, anthropicRequestToCanonical } from './translate.js';
import { anthropicResponseFromCanonical, anthropicResponseToCanonical } from './translate-reply.js';

export const anthropicTranslator: WireTranslator = {
  format: 'anthropic_messages',
  requestToCanonical: anthropicRequestToCanonical,
  requestFromCanonical: anthropicRequestFromCanonical,
  responseToCanonical: anthropicResponseToCanonical,
  responseFromCanonical: anthropicResponseFromCanonical,
  createStreamDecoder: createAnthropicStreamDecoder,
  createStreamEncoder: createAnthropicStreamEncoder,
};
