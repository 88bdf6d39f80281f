import fc from 'fast-check';

/**
 * Hostile request shapes for the gateway fuzzer (issue 9): deep nesting, numbers out of shape
 * and range, wrong types in every field, long unspaced scripts. Every body is built as text so
 * nesting deeper than JSON.stringify can serialise still reaches the gateway.
 */

export type Path = '/v1/chat/completions' | '/v1/responses' | '/v1/embeddings' | '/v1/messages';

export interface FuzzRequest {
  path: Path;
  body: string;
  headers: Record<string, string>;
}

/** Text only, in the scripts that once made token counting super-linear. Kept ≤ 16 KB. */
const SCRIPTS: readonly string[] = [
  '的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生',
  'กขคงจฉชซญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮะาำิีึืุูเแโใไ่้๊๋',
  '😀😃😄😁😆🥹😅😂🤣🥲☺️😊😇🙂🙃😉😌😍🥰😘👩‍👩‍👧‍👦🏳️‍🌈🇺🇸',
  '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~…—–«»‹›“”‘’¡¿',
  'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=+/',
  'a',
];
const MAX_TEXT_BYTES = 16 * 1024;

export const longText: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...SCRIPTS),
    fc.integer({ min: 1, max: 32 }),
    fc.integer({ min: 1, max: 4_000 }),
  )
  .map(([script, seed, length]) => {
    const chars = [...script];
    let out = '';
    for (let i = 0; i < length && Buffer.byteLength(out) < MAX_TEXT_BYTES - 8; i++) {
      out += chars[(i * seed + (i >> 3)) % chars.length];
    }
    return out;
  });

/** Arrays or objects nested `depth` deep, as JSON text. */
export const deepJson: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 6_000 }), fc.boolean())
  .map(([depth, isArray]) =>
    isArray
      ? '['.repeat(depth) + ']'.repeat(depth)
      : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
  );

const hostileNumber = fc.oneof(
  fc.constantFrom(-1e12, -1e9, -1, 0, 0.5, 1.5, 1e12, 1e308, -0, 2 ** 53, 4_097),
  fc.integer({ min: -1_000_000, max: 2_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const scalar = fc.oneof(
  hostileNumber,
  fc.string({ maxLength: 40 }),
  fc.constantFrom('100000', '-1', '1e9', '', 'null'),
  fc.boolean(),
  fc.constant(null),
);

/** A JSON value as text: a scalar, a small random value, a long script or deep nesting. */
export const hostileValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: scalar.map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: longText.map((t) => JSON.stringify(t)) },
  { weight: 1, arbitrary: deepJson },
);

const FIELDS: Record<Path, readonly string[]> = {
  '/v1/chat/completions': [
    'model',
    'messages',
    'max_tokens',
    'max_completion_tokens',
    'n',
    'stream',
    'stream_options',
    'tools',
    'tool_choice',
    'user',
    'temperature',
    'response_format',
  ],
  '/v1/responses': [
    'model',
    'input',
    'instructions',
    'max_output_tokens',
    'stream',
    'tools',
    'user',
  ],
  '/v1/embeddings': ['model', 'input', 'dimensions', 'user', 'encoding_format'],
  '/v1/messages': [
    'model',
    'messages',
    'max_tokens',
    'system',
    'stream',
    'tools',
    'metadata',
    'temperature',
  ],
};

/** A request that would succeed, as a list of JSON fields (name, value text). */
function baseFields(path: Path, text: string): [string, string][] {
  const t = JSON.stringify(text);
  switch (path) {
    case '/v1/chat/completions':
      return [
        ['model', '"gpt-4o-mini"'],
        ['messages', `[{"role":"user","content":${t}}]`],
      ];
    case '/v1/responses':
      return [
        ['model', '"gpt-4o-mini"'],
        ['input', t],
      ];
    case '/v1/embeddings':
      return [
        ['model', '"text-embedding-3-small"'],
        ['input', `[${t}]`],
      ];
    case '/v1/messages':
      return [
        ['model', '"claude-haiku-4-5"'],
        ['max_tokens', '64'],
        [
          'messages',
          `[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":${t}}]}]`,
        ],
      ];
  }
}

const path = fc.constantFrom<Path>(
  '/v1/chat/completions',
  '/v1/responses',
  '/v1/embeddings',
  '/v1/messages',
);

const prompt = fc.oneof(fc.string({ maxLength: 200 }), longText);

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = path.chain((p) =>
  fc
    .record({
      prompt,
      edits: fc.array(fc.tuple(fc.constantFrom(...FIELDS[p]), hostileValue), { maxLength: 3 }),
      user: fc.option(
        fc.string({ maxLength: 300 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
        {
          nil: undefined,
        },
      ),
      withCharset: fc.boolean(),
    })
    .map(({ prompt: text, edits, user, withCharset }) => {
      const fields = new Map(baseFields(p, text));
      for (const [name, value] of edits) fields.set(name, value);
      const body = `{${[...fields].map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
      const headers: Record<string, string> = {
        'content-type': withCharset ? 'application/json; charset=utf-8' : 'application/json',
      };
      if (user !== undefined && user !== '') headers['x-bastion-user'] = user;
      return { path: p, body, headers };
    }),
);
