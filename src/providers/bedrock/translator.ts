import type { ProviderTranslator } from '../core/translator.js';
import { createBedrockStreamDecoder } from './stream.js';
import { bedrockRequestFromCanonical, bedrockResponseToCanonical } from './translate.js';

export const bedrockTranslator: ProviderTranslator = {
  format: 'bedrock_converse',
  requestFromCanonical: (req, opts) => bedrockRequestFromCanonical(req, opts),
  responseToCanonical: bedrockResponseToCanonical,
  createStreamDecoder: createBedrockStreamDecoder,
};

/** `/model/{modelId}/converse`, or `/converse-stream` (AWS event-stream framing). */
export function bedrockPath(upstreamModel: string, isStream: boolean): string {
  return `/model/${encodeURIComponent(upstreamModel)}/${isStream ? 'converse-stream' : 'converse'}`;
}
