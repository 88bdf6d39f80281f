import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { rewriteItem } from './output-stream-events.js';
import { defaultStreamDeps } from '../../../test/helpers/stream-guard.js';
import { rewriteSseStream } from './output-stream.js';

/**
 * Reasoning text and events the guard has no handler for, attacked as a model (or a provider
 * adding a new event type) would: the canary must never reach the caller.
 */

const CANARY = 'sk-proj-Rz8fQ2mN7vXk4LwP9sTb3HcY6dJe1GaU5oVi0KnZrEqWmAtBy'; // bastion:allow test canary
const AWS_CANARY = 'AKIAZX7QRT4WMNB2KP5V'; // bastion:allow test canary

const deps = defaultStreamDeps();

type Json = Record<string, unknown>;
type Endpoint = 'responses' | 'messages' | 'chat_completions';

/** Raw SSE through the guard in pieces of `chunkChars`; the bytes the caller gets. */
async function guardRaw(sse: string, endpoint: Endpoint, chunkChars = 5): Promise<string> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < sse.length; i += chunkChars)
    pieces.push(Buffer.from(sse.slice(i, i + chunkChars)));
  let out = '';
  for await (const b of rewriteSseStream(endpoint, Readable.from(pieces), deps))
    out += b.toString();
  return out;
}

const sseOf = (events: Json[], named = true) =>
  events
    .map((e) => `${named ? `event: ${String(e.type)}\n` : ''}data: ${JSON.stringify(e)}\n\n`)
    .join('');

const dataOf = (sse: string) =>
  sse
    .split('\n')
    .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
    .map((l) => JSON.parse(l.slice(6)) as Json);

/** `text` in pieces of `size` characters. */
function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function thinkingStream(thinking: string, size: number): Json[] {
  return [
    { type: 'message_start', message: { id: 'msg_1', content: [], usage: { input_tokens: 3 } } },
    {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'thinking', thinking: '', signature: '' },
    },
    ...pieces(thinking, size).map((t) => ({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'thinking_delta', thinking: t },
    })),
    {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'signature_delta', signature: 'EqQBsig==' },
    },
    { type: 'content_block_stop', index: 0 },
    { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Done.' } },
    { type: 'content_block_stop', index: 1 },
    { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 9 } },
    { type: 'message_stop' },
  ];
}

/** What an Anthropic client assembles per block: thinking, signature, text. */
function anthropicBlocks(sse: string): { thinking: string; signature: string; text: string } {
  const got = { thinking: '', signature: '', text: '' };
  for (const e of dataOf(sse)) {
    const d = e.delta as Json | undefined;
    if (e.type !== 'content_block_delta' || d === undefined) continue;
    if (d.type === 'thinking_delta') got.thinking += d.thinking as string;
    if (d.type === 'signature_delta') got.signature += d.signature as string;
    if (d.type === 'text_delta') got.text += d.text as string;
  }
  return got;
}

describe('output guard: Anthropic thinking', () => {
  it.each([1, 3, 7, 200])(
    'redacts a key in thinking split across deltas of %i characters',
    async (size) => {
      const thinking = `The user pasted ${CANARY} earlier, I should not repeat it.`;
      const out = await guardRaw(sseOf(thinkingStream(thinking, size)), 'messages');
      expect(out).not.toContain(CANARY.slice(8, 30));
      const got = anthropicBlocks(out);
      expect(got.thinking).toBe(
        'The user pasted [REDACTED:openai-project-key] earlier, I should not repeat it.',
      );
      expect(got.text).toBe('Done.');
      // The signature vouched for the model's text, not this one: withheld.
      expect(got.signature).toBe('');
    },
  );

  it('keeps thinking and its signature when nothing is redacted', async () => {
    const thinking = 'Let me think about the plot of Hamlet.';
    const out = await guardRaw(sseOf(thinkingStream(thinking, 6)), 'messages', 13);
    expect(anthropicBlocks(out)).toEqual({ thinking, signature: 'EqQBsig==', text: 'Done.' });
  });

  it('screens thinking text carried in content_block_start', async () => {
    const events: Json[] = [
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'thinking', thinking: `key ${AWS_CANARY} here`, signature: '' },
      },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_stop' },
    ];
    const out = await guardRaw(sseOf(events), 'messages');
    expect(out).not.toContain(AWS_CANARY);
  });
});

describe('output guard: Responses reasoning', () => {
  function reasoningStream(summary: string, size: number): Json[] {
    const item = { id: 'rs_1', type: 'reasoning', summary: [] };
    const part = { type: 'summary_text', text: summary };
    const at = { item_id: 'rs_1', output_index: 0, summary_index: 0 };
    const done = { ...item, summary: [part], encrypted_content: 'gAAAAopaque' };
    const events: Json[] = [
      { type: 'response.created', response: { id: 'resp_1', output: [] } },
      { type: 'response.output_item.added', output_index: 0, item },
      { type: 'response.reasoning_summary_part.added', ...at, part: { ...part, text: '' } },
      ...pieces(summary, size).map((delta) => ({
        type: 'response.reasoning_summary_text.delta',
        ...at,
        delta,
      })),
      { type: 'response.reasoning_summary_text.done', ...at, text: summary },
      { type: 'response.reasoning_summary_part.done', ...at, part },
      { type: 'response.output_item.done', output_index: 0, item: done },
      { type: 'response.completed', response: { id: 'resp_1', output: [done] } },
    ];
    return events.map((e, i) => ({ ...e, sequence_number: i }));
  }

  it.each([2, 5, 300])(
    'redacts a key in a reasoning summary (deltas of %i), its done events and the final response',
    async (size) => {
      const summary = `Considering the key ${CANARY} the user sent.`;
      const out = await guardRaw(sseOf(reasoningStream(summary, size)), 'responses');
      expect(out).not.toContain(CANARY.slice(8, 30));
      const events = dataOf(out);
      const deltas = events
        .filter((e) => e.type === 'response.reasoning_summary_text.delta')
        .map((e) => e.delta as string)
        .join('');
      expect(deltas).toBe('Considering the key [REDACTED:openai-project-key] the user sent.');
      const completed = events.at(-1) as { response: { output: Json[] } };
      expect(completed.response.output[0]).toMatchObject({
        summary: [{ text: deltas }],
        encrypted_content: 'gAAAAopaque',
      });
      // Numbers stay contiguous whatever the guard held back or added.
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    },
  );

  it('redacts reasoning_text deltas', async () => {
    const at = { item_id: 'rs_2', output_index: 0, content_index: 0 };
    const events = [...pieces(`raw ${AWS_CANARY} thought`, 3)].map((delta) => ({
      type: 'response.reasoning_text.delta',
      ...at,
      delta,
    }));
    const out = await guardRaw(sseOf(events), 'responses');
    const text = dataOf(out)
      .map((e) => e.delta as string)
      .join('');
    expect(text).toBe('raw [REDACTED:aws-access-key-id] thought');
  });

  it('rewrites reasoning items of a whole reply (summary and content)', () => {
    const item = {
      type: 'reasoning',
      id: 'rs_3',
      summary: [{ type: 'summary_text', text: `a ${CANARY} b` }],
      content: [{ type: 'reasoning_text', text: `c ${AWS_CANARY} d` }],
    };
    expect(rewriteItem(item, { text: deps.fullText, args: deps.fullArgs, value: deps.fullValue }));
    expect(JSON.stringify(item)).not.toContain(CANARY.slice(8, 30));
    expect(JSON.stringify(item)).not.toContain(AWS_CANARY);
  });

  it('screens every string of an output item type it does not know', () => {
    const item = { type: 'future_call', id: 'x_1', output: { log: `leaked ${AWS_CANARY}` } };
    rewriteItem(item, { text: deps.fullText, args: deps.fullArgs, value: deps.fullValue });
    expect(JSON.stringify(item)).not.toContain(AWS_CANARY);
  });
});

describe('output guard: chat reasoning_content', () => {
  const chunk = (delta: Json, finish: string | null = null): Json => ({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });

  it.each(['reasoning_content', 'reasoning'])(
    'redacts a key split across %s deltas',
    async (field) => {
      const text = `I see ${CANARY} in the prompt.`;
      const events = [
        chunk({ role: 'assistant', content: '' }),
        ...pieces(text, 4).map((t) => chunk({ [field]: t })),
        chunk({ content: 'Answer.' }),
        chunk({}, 'stop'),
      ];
      const out = await guardRaw(`${sseOf(events, false)}data: [DONE]\n\n`, 'chat_completions');
      expect(out).not.toContain(CANARY.slice(8, 30));
      const reasoning = dataOf(out)
        .map(
          (e) => ((e.choices as Json[])[0]?.delta as Record<string, string> | undefined)?.[field],
        )
        .join('');
      expect(reasoning).toBe('I see [REDACTED:openai-project-key] in the prompt.');
      expect(out.endsWith('data: [DONE]\n\n')).toBe(true);
    },
  );
});

describe('output guard: chat reasoning_details', () => {
  it('screens every string of structured reasoning details', async () => {
    const delta = { reasoning_details: [{ type: 'reasoning.text', text: `k ${AWS_CANARY}` }] };
    const event = { id: 'c1', choices: [{ index: 0, delta, finish_reason: null }] };
    const out = await guardRaw(`${sseOf([event], false)}data: [DONE]\n\n`, 'chat_completions');
    expect(out).not.toContain(AWS_CANARY);
  });
});

describe('output guard: events it has no handler for fail closed', () => {
  it.each(['messages', 'responses', 'chat_completions'] as const)(
    'screens every string of an unknown event type (%s)',
    async (endpoint) => {
      const event = { type: 'future.event', nested: { note: `the key is ${AWS_CANARY}` } };
      const out = await guardRaw(sseOf([event]), endpoint);
      expect(out).not.toContain(AWS_CANARY);
      const nested = dataOf(out)[0]?.nested as { note: string } | undefined;
      expect(nested?.note).toMatch(/^the key is \[REDACTED:[a-z-]+\]$/);
    },
  );

  it('screens an unknown Anthropic delta type and block type', async () => {
    const events: Json[] = [
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'future_block', body: `x ${AWS_CANARY}` },
      },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'citations_delta', citation: { cited_text: `y ${CANARY}` } },
      },
      { type: 'content_block_stop', index: 0 },
    ];
    const out = await guardRaw(sseOf(events), 'messages');
    expect(out).not.toContain(AWS_CANARY);
    expect(out).not.toContain(CANARY.slice(8, 30));
  });

  it.each(['messages', 'responses', 'chat_completions'] as const)(
    'drops an event whose data is not JSON and carries a key (%s)',
    async (endpoint) => {
      const sse = `data: {"type":"x","text":"${CANARY}"\n\ndata: not json ${AWS_CANARY}\n\n`;
      const out = await guardRaw(sse, endpoint);
      expect(out).not.toContain(CANARY.slice(8, 30));
      expect(out).not.toContain(AWS_CANARY);
    },
  );

  it('passes known events that carry no model text byte for byte', async () => {
    const sse =
      sseOf([
        {
          type: 'message_start',
          message: { id: 'msg_1', content: [], usage: { input_tokens: 1 } },
        },
        { type: 'ping' },
        { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } },
        { type: 'message_stop' },
      ]) + 'data: [DONE]\n\n';
    expect(await guardRaw(sse, 'messages')).toBe(sse);
  });
});

describe('output guard: fields of known events besides their text', () => {
  it('screens a field a provider adds to an Anthropic message_delta', async () => {
    const events = [
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', note: CANARY } },
      { type: 'message_stop' },
    ];
    const out = await guardRaw(sseOf(events), 'messages');
    expect(out).not.toContain(CANARY.slice(8, 30));
    // The one without anything to screen passes byte for byte.
    expect(out.startsWith(sseOf(events.slice(0, 1)))).toBe(true);
  });

  it('screens the annotations and logprobs of a Responses text part, streamed and whole', async () => {
    const part = {
      type: 'output_text',
      text: 'See the source.',
      annotations: [{ type: 'url_citation', url: 'https://example.com/', title: CANARY }],
      logprobs: [{ token: AWS_CANARY, logprob: -0.1 }],
    };
    const item = { type: 'message', id: 'msg_1', role: 'assistant', content: [part] };
    const events = [
      { type: 'response.content_part.done', item_id: 'msg_1', content_index: 0, part },
      { type: 'response.output_item.done', output_index: 0, item },
      { type: 'response.completed', response: { id: 'resp_1', output: [item] } },
    ];
    const out = await guardRaw(sseOf(events), 'responses');
    expect(out).not.toContain(CANARY.slice(8, 30));
    expect(out).not.toContain(AWS_CANARY);
    const whole = structuredClone(item);
    rewriteItem(whole, { text: deps.fullText, args: deps.fullArgs, value: deps.fullValue });
    expect(JSON.stringify(whole)).not.toContain(CANARY.slice(8, 30));
    expect(whole.content[0]?.text).toBe('See the source.');
  });
});
