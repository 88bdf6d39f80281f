import { createHash } from 'node:crypto';
import { invalidRequest, requireModel, type MockCall, type MockReply } from './reply.js';
import { estimateTextTokens } from './tokens.js';

export const DEFAULT_EMBEDDING_DIMENSIONS = 8;
const MAX_DIMENSIONS = 3072;

/**
 * A deterministic unit vector for `text`: SHA-256 blocks of the text spread over [-1, 1], then
 * normalised. Values are rounded to float32 so the float and base64 encodings agree exactly.
 */
export function mockEmbedding(text: string, dimensions: number): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block += 1) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest();
    for (let i = 0; i + 4 <= digest.length && values.length < dimensions; i += 4) {
      values.push(digest.readUInt32LE(i) / 0x7fffffff - 1);
    }
  }
  const norm = Math.hypot(...values) || 1;
  return values.map((v) => Math.fround(v / norm));
}

/** Little-endian float32 bytes as base64, as OpenAI sends for `encoding_format: 'base64'`. */
export function encodeFloat32Base64(values: readonly number[]): string {
  const buf = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => buf.writeFloatLE(v, i * 4));
  return buf.toString('base64');
}

function readInputs(input: unknown): string[] | undefined {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  const inputs = input as unknown[];
  return inputs.every((s): s is string => typeof s === 'string') ? inputs : undefined;
}

/** `POST /v1/embeddings`: `input` is a string or an array of strings. */
export function embeddings(call: MockCall): MockReply {
  const model = requireModel(call.body);
  if (typeof model !== 'string') return model;
  const inputs = readInputs(call.body['input']);
  if (inputs === undefined) {
    return invalidRequest("'input' must be a string or a non-empty array of strings", 'input');
  }
  const dimensions = call.body['dimensions'] ?? DEFAULT_EMBEDDING_DIMENSIONS;
  if (
    !Number.isInteger(dimensions) ||
    (dimensions as number) < 1 ||
    (dimensions as number) > MAX_DIMENSIONS
  ) {
    return invalidRequest(
      `'dimensions' must be an integer from 1 to ${MAX_DIMENSIONS}`,
      'dimensions',
    );
  }
  const format = call.body['encoding_format'] ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    return invalidRequest("'encoding_format' must be 'float' or 'base64'", 'encoding_format');
  }
  let promptTokens = 0;
  const data = inputs.map((text, index) => {
    promptTokens += estimateTextTokens(text);
    const vector = mockEmbedding(text, dimensions as number);
    const embedding = format === 'base64' ? encodeFloat32Base64(vector) : vector;
    return { object: 'embedding', index, embedding };
  });
  return {
    kind: 'json',
    body: {
      object: 'list',
      data,
      model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    },
  };
}
