import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Endpoint, JsonObject } from '../../providers/types.js';
import type { RequestContext } from '../context.js';
import { createValidateStage, passesPlainly, requestSchemas } from './validate.js';

const ENDPOINTS = ['chat_completions', 'responses', 'embeddings', 'messages'] as const;

/** Field values near every rule's edge, and of every JSON type. */
const anyJson = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.string({ maxLength: 3 }),
  fc.constant([]),
  fc.constant({}),
);
/** Mostly valid values, so both answers come up often. */
const likely = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: anyJson, weight: 1 });
const model = likely(fc.string({ minLength: 0, maxLength: 300 }));
const message = fc.oneof(
  { arbitrary: fc.record({ role: likely(fc.constantFrom('user', 'system', '')) }), weight: 12 },
  { arbitrary: fc.record({ content: fc.string({ maxLength: 5 }) }), weight: 1 },
  { arbitrary: anyJson, weight: 1 },
);
const messages = likely(fc.array(message, { maxLength: 3 }));
const streamOptions = likely(
  fc.record({ include_usage: likely(fc.boolean()) }, { requiredKeys: [] }),
);
const input = likely(fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 2 })));
const maxTokens = likely(
  fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constantFrom(0.5, 2 ** 53, 2 ** 60, -0)),
);
const body = fc.record(
  {
    model,
    messages,
    stream: likely(fc.boolean()),
    stream_options: streamOptions,
    input,
    max_tokens: maxTokens,
  },
  { requiredKeys: [] },
);

describe('validate', () => {
  it('passes by hand exactly the bodies the schema accepts', () => {
    const answers = Object.fromEntries(ENDPOINTS.map((e) => [e, [0, 0]])) as Record<
      Endpoint,
      [number, number]
    >;
    fc.assert(
      fc.property(fc.constantFrom(...ENDPOINTS), body, (endpoint, b) => {
        const parsed = JSON.parse(JSON.stringify(b)) as JsonObject;
        const accepted = requestSchemas[endpoint].safeParse(parsed).success;
        expect(passesPlainly(endpoint, parsed)).toBe(accepted);
        answers[endpoint][accepted ? 0 : 1] += 1;
      }),
      { numRuns: 5_000 },
    );
    // Both answers came up for every endpoint (each dozens of times on average), or the
    // property proved little.
    for (const [yes, no] of Object.values(answers)) {
      expect(yes).toBeGreaterThan(0);
      expect(no).toBeGreaterThan(0);
    }
  });

  it('words a refusal from the schema, naming the field', () => {
    const stage = createValidateStage();
    const run = (endpoint: Endpoint, b: JsonObject) =>
      stage.run({ route: { id: endpoint }, body: b } as unknown as RequestContext);
    expect(run('chat_completions', { model: 'm', messages: [] })).toMatchObject({
      code: 'invalid_request',
      param: 'messages',
    });
    expect(run('messages', { model: 'm', messages: [{ role: 'user' }] })).toMatchObject({
      code: 'invalid_request',
      param: 'max_tokens',
    });
    expect(run('chat_completions', { model: 'm', messages: [{ role: 'user' }] })).toBeUndefined();
  });
});
