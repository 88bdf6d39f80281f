import { GatewayError } from '../../errors/gateway-error.js';
import type { CanonicalRequest, CanonicalStreamEvent } from '../core/canonical.js';
import { isObj, type Obj } from '../core/translate-read.js';
import { ClosureDecoder, createSseDecoder } from '../core/translate-tap.js';
import type { CanonicalStreamDecoder } from '../core/translator.js';
import {
  finishFromGemini,
  newResponseId,
  readParts,
  safeId,
  usageFromGemini,
} from './translate.js';

/**
 * Gemini `streamGenerateContent?alt=sse` → canonical. Every event is a whole
 * `GenerateContentResponse` holding the next parts: text grows one open text part, each
 * function call arrives whole (start, its arguments, stop). The chunk with a `finishReason`
 * is the last: it closes the open part and ends the stream with the finish and usage.
 */
export function createGeminiStreamDecoder(req?: CanonicalRequest): CanonicalStreamDecoder {
  let isStarted = false;
  let nextIndex = 0;
  let openText: number | undefined;
  let hasToolCalls = false;
  let usage: unknown;

  function closeText(out: CanonicalStreamEvent[]): void {
    if (openText === undefined) return;
    out.push({ type: 'part_stop', index: openText });
    openText = undefined;
  }

  function onChunk(json: Obj, out: CanonicalStreamEvent[]): boolean {
    if (!isStarted) {
      isStarted = true;
      out.push({
        type: 'start',
        id: safeId(json.responseId, newResponseId),
        model: safeId(json.modelVersion, () => req?.model ?? 'unknown'),
      });
    }
    if (json.usageMetadata !== undefined) usage = json.usageMetadata;
    const candidates = Array.isArray(json.candidates) ? json.candidates : [];
    const candidate: unknown = candidates[0];
    if (!isObj(candidate)) {
      // A blocked prompt: no candidate, only promptFeedback.
      if (!isObj(json.promptFeedback)) return false;
      return finish(out, 'SAFETY');
    }
    for (const part of readParts(candidate, 'candidates[0]')) {
      if (part.type === 'text') {
        if (part.text === '') continue;
        if (openText === undefined) {
          openText = nextIndex++;
          out.push({ type: 'text_start', index: openText });
        }
        out.push({ type: 'text_delta', index: openText, text: part.text });
      } else {
        closeText(out);
        hasToolCalls = true;
        const index = nextIndex++;
        out.push({ type: 'tool_call_start', index, id: part.id, name: part.name });
        out.push({ type: 'tool_call_delta', index, argumentsDelta: part.arguments });
        out.push({ type: 'part_stop', index });
      }
    }
    return candidate.finishReason === undefined ? false : finish(out, candidate.finishReason);
  }

  function finish(out: CanonicalStreamEvent[], reason: unknown): boolean {
    closeText(out);
    out.push({ type: 'finish', reason: finishFromGemini(reason, hasToolCalls) });
    out.push({ type: 'usage', usage: usageFromGemini(usage) });
    out.push({ type: 'end' });
    return true;
  }

  return guarded(
    createSseDecoder((json, out) => (json === undefined ? false : onChunk(json, out))),
  );
}

/**
 * A decoder whose reading of a reply may throw (a part of the wrong shape): the throw becomes
 * the stream's `upstream_bad_response` failure, and nothing more is read.
 */
export function guarded(inner: CanonicalStreamDecoder): CanonicalStreamDecoder {
  let failure: GatewayError | undefined;
  const push = (chunk: Buffer): CanonicalStreamEvent[] => {
    if (failure !== undefined) return [];
    try {
      return inner.push(chunk);
    } catch (err) {
      failure = new GatewayError('upstream_bad_response', {
        message: 'The provider sent a stream event the gateway could not read.',
        cause: err,
      });
      return [];
    }
  };
  return new ClosureDecoder(push, () => failure ?? inner.failure);
}
