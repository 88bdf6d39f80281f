import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anthropicTranslator } from '../anthropic/translator.js';
import { openAiChatTranslator, openAiResponsesTranslator } from '../openai/translator.js';
import type {
  CanonicalMessage,
  CanonicalPart,
  CanonicalRequest,
  CanonicalResponse,
  CanonicalStreamEvent,
} from './canonical.js';
import type { WireTranslator } from './translator.js';

/**
 * Translate there and back keeps meaning (STYLE §8): a request, a reply and a stream in the
 * subset two formats can both express come back equal after going through one format's wire
 * shape, the canonical model and the other's. Where a format only spells a thing differently
 * (a lone text part as a string, arguments re-serialised), the comparison normalises.
 */

const text = fc.string({ maxLength: 12 });
const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
const id = fc.stringMatching(/^[A-Za-z0-9]{4,10}$/).map((s) => `call_${s}`);
const args = fc.dictionary(word, fc.oneof(fc.integer(), text, fc.boolean()), { maxKeys: 3 });
const image = fc.oneof(
  fc.webUrl().map((url) => ({ type: 'image' as const, source: { kind: 'url' as const, url } })),
  fc.base64String({ minLength: 4, maxLength: 16 }).map((data) => ({
    type: 'image' as const,
    source: { kind: 'base64' as const, mediaType: 'image/png', data },
  })),
);
const textPart = text.map((t) => ({ type: 'text' as const, text: t }));

/** One exchange: a user turn, maybe an assistant turn with tool calls and their results. */
const turn = fc
  .record({
    user: fc.array(fc.oneof(textPart, image), { minLength: 1, maxLength: 3 }),
    reply: fc.option(text, { nil: undefined }),
    calls: fc.array(fc.record({ id, name: word, args }), { maxLength: 2 }),
    results: fc.array(text, { minLength: 2, maxLength: 2 }),
  })
  .map(({ user, reply, calls, results }) => {
    const out: CanonicalMessage[] = [{ role: 'user', content: user }];
    const assistant: CanonicalPart[] = [];
    if (reply !== undefined) assistant.push({ type: 'text', text: reply });
    for (const c of calls) {
      assistant.push({
        type: 'tool_call',
        id: c.id,
        name: c.name,
        arguments: JSON.stringify(c.args),
      });
    }
    if (assistant.length > 0) out.push({ role: 'assistant', content: assistant });
    calls.forEach((c, i) =>
      out.push({
        role: 'tool',
        content: [
          {
            type: 'tool_result',
            toolCallId: c.id,
            content: [{ type: 'text', text: results[i] ?? '' }],
          },
        ],
      }),
    );
    return out;
  });

function requestArb(opts: {
  hasStop: boolean;
  hasJsonMode: boolean;
}): fc.Arbitrary<CanonicalRequest> {
  return fc
    .record({
      system: fc.option(text, { nil: undefined }),
      turns: fc.array(turn, { minLength: 1, maxLength: 3 }),
      tools: fc.option(
        fc.array(
          fc.record({
            name: word,
            description: fc.option(text, { nil: undefined }),
            parameters: fc.constant({ type: 'object', properties: {} }),
          }),
          { minLength: 1, maxLength: 2 },
        ),
        { nil: undefined },
      ),
      toolChoice: fc.option(
        fc.oneof(
          fc.constant({ type: 'auto' as const }),
          fc.constant({ type: 'required' as const }),
          fc.constant({ type: 'none' as const }),
          word.map((name) => ({ type: 'tool' as const, name })),
        ),
        { nil: undefined },
      ),
      maxTokens: fc.integer({ min: 1, max: 100_000 }),
      temperature: fc.option(fc.double({ min: 0, max: 2, noNaN: true }), { nil: undefined }),
      topP: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
      stop: opts.hasStop
        ? fc.option(fc.array(text, { minLength: 1, maxLength: 3 }), { nil: undefined })
        : fc.constant(undefined),
      user: fc.option(word, { nil: undefined }),
      stream: fc.boolean(),
      parallelToolCalls: fc.option(fc.boolean(), { nil: undefined }),
      // Anthropic has JSON mode only as a forced tool: a reply property, not a request one.
      responseFormat: opts.hasJsonMode
        ? fc.option(
            fc.oneof(
              fc.constant({ type: 'json_object' as const }),
              fc.record({
                type: fc.constant('json_schema' as const),
                name: word,
                schema: fc.constant({ type: 'object' }),
                strict: fc.boolean(),
              }),
            ),
            { nil: undefined },
          )
        : fc.constant(undefined),
    })
    .map((r) => {
      const messages: CanonicalMessage[] = [];
      if (r.system !== undefined) {
        messages.push({ role: 'system', content: [{ type: 'text', text: r.system }] });
      }
      messages.push(...r.turns.flat());
      return withoutUndefined({ ...r, model: 'm', messages, system: undefined, turns: undefined });
    });
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * What both formats say the same way: arguments as parsed JSON; no usage flag; parallel tool
 * calls allowed and `auto` tool choice are the defaults (Anthropic can only say "not parallel",
 * and only with tools and a choice other than `none`).
 */
function normalRequest(req: CanonicalRequest): unknown {
  const { parallelToolCalls, toolChoice, ...rest } = req;
  delete rest.includeUsage;
  const hasTools = req.tools !== undefined && req.tools.length > 0;
  const isSerial = parallelToolCalls === false && toolChoice?.type !== 'none' && hasTools;
  return JSON.parse(
    JSON.stringify({
      ...rest,
      parallelToolCalls: isSerial ? false : undefined,
      toolChoice: toolChoice?.type === 'auto' ? undefined : toolChoice,
      messages: req.messages.map((m) => ({
        ...m,
        content: m.content.map((p) =>
          p.type === 'tool_call' ? { ...p, arguments: JSON.parse(p.arguments) as unknown } : p,
        ),
      })),
    }),
  );
}

function viaRequest(a: WireTranslator, b: WireTranslator, req: CanonicalRequest) {
  const wireA = a.requestFromCanonical(req, { upstreamModel: req.model });
  const wireB = b.requestFromCanonical(a.requestToCanonical(wireA), { upstreamModel: req.model });
  return b.requestToCanonical(wireB);
}

const chat = openAiChatTranslator;
const responses = openAiResponsesTranslator;
const anthropic = anthropicTranslator;

describe('translate there and back keeps every field both formats express', () => {
  it.each([
    ['chat', 'anthropic', chat, anthropic, true, false],
    ['anthropic', 'chat', anthropic, chat, true, false],
    ['responses', 'anthropic', responses, anthropic, false, false],
    ['chat', 'responses', chat, responses, false, true],
  ] as const)('requests: %s -> canonical -> %s', (_a, _b, a, b, hasStop, hasJsonMode) => {
    fc.assert(
      fc.property(requestArb({ hasStop, hasJsonMode }), (req) => {
        expect(normalRequest(viaRequest(a, b, req))).toEqual(normalRequest(req));
        expect(normalRequest(viaRequest(b, a, req))).toEqual(normalRequest(req));
      }),
      { numRuns: 150 },
    );
  });

  const responseArb: fc.Arbitrary<CanonicalResponse> = fc
    .record({
      text: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
      calls: fc.array(fc.record({ id, name: word, args }), { maxLength: 2 }),
      finish: fc.constantFrom<'stop' | 'length' | 'content_filter'>(
        'stop',
        'length',
        'content_filter',
      ),
      input: fc.integer({ min: 0, max: 10_000 }),
      cached: fc.integer({ min: 0, max: 100 }),
      output: fc.integer({ min: 0, max: 10_000 }),
    })
    .map((r) => {
      const content: CanonicalResponse['content'][number][] = [];
      if (r.text !== undefined) content.push({ type: 'text', text: r.text });
      for (const c of r.calls) {
        content.push({
          type: 'tool_call',
          id: c.id,
          name: c.name,
          arguments: JSON.stringify(c.args),
        });
      }
      const usage =
        r.cached > 0
          ? { inputTokens: r.input + r.cached, outputTokens: r.output, cachedInputTokens: r.cached }
          : { inputTokens: r.input, outputTokens: r.output };
      const finishReason = r.calls.length > 0 && r.finish === 'stop' ? 'tool_calls' : r.finish;
      return { id: 'msg_1', model: 'm-1', content, finishReason, usage };
    });

  function normalResponse(res: CanonicalResponse): unknown {
    return {
      model: res.model,
      finishReason: res.finishReason,
      usage: res.usage,
      content: res.content.map((p) =>
        p.type === 'tool_call' ? { ...p, arguments: JSON.parse(p.arguments) as unknown } : p,
      ),
    };
  }

  it.each([
    ['chat', 'anthropic', chat, anthropic],
    ['anthropic', 'responses', anthropic, responses],
    ['responses', 'chat', responses, chat],
  ] as const)('replies: %s -> canonical -> %s and back', (_a, _b, a, b) => {
    const req: CanonicalRequest = { model: 'm', messages: [], stream: false };
    fc.assert(
      fc.property(responseArb, (res) => {
        const viaA = a.responseToCanonical(a.responseFromCanonical(res, req), req);
        const viaB = b.responseToCanonical(b.responseFromCanonical(viaA, req), req);
        expect(normalResponse(viaB)).toEqual(normalResponse(res));
      }),
      { numRuns: 150 },
    );
  });

  /** A streamed turn: the parts in order with their whole text, the finish, the usage. */
  function summary(events: readonly CanonicalStreamEvent[]) {
    const parts = new Map<number, { kind: string; id?: string; name?: string; text: string }>();
    let finish: string | undefined;
    let usage: unknown;
    let isEnded = false;
    for (const e of events) {
      if (e.type === 'text_start') parts.set(e.index, { kind: 'text', text: '' });
      else if (e.type === 'tool_call_start') {
        parts.set(e.index, { kind: 'tool', id: e.id, name: e.name, text: '' });
      } else if (e.type === 'text_delta' || e.type === 'tool_call_delta') {
        const part = parts.get(e.index);
        if (part !== undefined) part.text += e.type === 'text_delta' ? e.text : e.argumentsDelta;
      } else if (e.type === 'finish') finish = e.reason;
      else if (e.type === 'usage') usage = e.usage;
      else if (e.type === 'end') isEnded = true;
    }
    return { parts: [...parts.values()], finish, usage, isEnded };
  }

  const streamArb = fc
    .record({
      parts: fc.array(
        fc.oneof(
          fc
            .array(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 })
            .map((deltas) => ({ kind: 'text' as const, deltas })),
          fc.record({
            kind: fc.constant('tool' as const),
            id,
            name: word,
            deltas: fc.array(fc.string({ minLength: 1, maxLength: 6 }), { maxLength: 4 }),
          }),
        ),
        { minLength: 1, maxLength: 4 },
      ),
      length: fc.boolean(),
      input: fc.integer({ min: 0, max: 1000 }),
      output: fc.integer({ min: 0, max: 1000 }),
    })
    // Chat has no order between a turn's text and its tool calls: text comes first.
    .map((s) => ({
      ...s,
      parts: [
        ...s.parts.filter((p) => p.kind === 'text').slice(0, 1),
        ...s.parts.filter((p) => p.kind === 'tool'),
      ],
    }))
    .filter((s) => s.parts.length > 0)
    .map((s): CanonicalStreamEvent[] => {
      const events: CanonicalStreamEvent[] = [{ type: 'start', id: 'msg_1', model: 'm-1' }];
      s.parts.forEach((p, index) => {
        events.push(
          p.kind === 'text'
            ? { type: 'text_start', index }
            : { type: 'tool_call_start', index, id: p.id, name: p.name },
        );
        for (const d of p.deltas) {
          events.push(
            p.kind === 'text'
              ? { type: 'text_delta', index, text: d }
              : { type: 'tool_call_delta', index, argumentsDelta: d },
          );
        }
        events.push({ type: 'part_stop', index });
      });
      const hasTool = s.parts.some((p) => p.kind === 'tool');
      events.push({
        type: 'finish',
        reason: s.length ? 'length' : hasTool ? 'tool_calls' : 'stop',
      });
      events.push({ type: 'usage', usage: { inputTokens: s.input, outputTokens: s.output } });
      events.push({ type: 'end' });
      return events;
    });

  function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
    const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
    const pieces: Buffer[] = [];
    let last = 0;
    for (const p of [...points, bytes.length]) {
      pieces.push(bytes.subarray(last, p));
      last = p;
    }
    return pieces;
  }

  function relay(a: WireTranslator, events: readonly CanonicalStreamEvent[], cuts: number[]) {
    const req: CanonicalRequest = { model: 'm', messages: [], stream: true, includeUsage: true };
    const encoder = a.createStreamEncoder(req);
    const bytes = Buffer.from(events.map((e) => encoder.push(e)).join(''));
    const decoder = a.createStreamDecoder(req);
    const out = splitAt(bytes, cuts).flatMap((piece) => decoder.push(piece));
    expect(decoder.failure).toBeUndefined();
    return out;
  }

  it.each([
    ['chat', 'anthropic', chat, anthropic],
    ['anthropic', 'responses', anthropic, responses],
    ['responses', 'chat', responses, chat],
  ] as const)('streams: %s events -> canonical -> %s events, any chunk split', (_a, _b, a, b) => {
    fc.assert(
      fc.property(streamArb, fc.array(fc.nat(), { maxLength: 8 }), (events, cuts) => {
        const viaB = relay(b, relay(a, events, cuts), cuts);
        expect(summary(viaB)).toEqual(summary(events));
      }),
      { numRuns: 150 },
    );
  });
});
