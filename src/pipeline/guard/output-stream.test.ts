import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createPseudonymVault } from '../../detect/pii/index.js';
import { defaultStreamDeps } from '../../../test/helpers/stream-guard.js';
import { rewriteSseStream } from './output-stream.js';

const vault = createPseudonymVault();
const TOKEN = vault.tokenFor('email', 'dana.lee@example.com');
const deps = defaultStreamDeps(vault);

type Json = Record<string, unknown>;

async function rewrite(
  events: Json[],
  chunkChars = 7,
  endpoint: 'responses' | 'messages' = 'responses',
): Promise<Json[]> {
  const sse = events
    .map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`)
    .join('');
  const pieces: Buffer[] = [];
  for (let i = 0; i < sse.length; i += chunkChars)
    pieces.push(Buffer.from(sse.slice(i, i + chunkChars)));
  let out = '';
  for await (const b of rewriteSseStream(endpoint, Readable.from(pieces), deps))
    out += b.toString();
  return out
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => JSON.parse(l.slice(6)) as Json);
}

/** A Responses stream calling a tool whose arguments hold `args`, in deltas of `size`. */
function functionCallStream(args: string, size: number): Json[] {
  const item = {
    type: 'function_call',
    id: 'fc_1',
    call_id: 'call_1',
    name: 'send',
    arguments: '',
  };
  const events: Json[] = [
    { type: 'response.created', response: { id: 'resp_1', output: [] } },
    { type: 'response.output_item.added', output_index: 0, item },
  ];
  for (let i = 0; i < args.length; i += size)
    events.push({
      type: 'response.function_call_arguments.delta',
      item_id: 'fc_1',
      output_index: 0,
      delta: args.slice(i, i + size),
    });
  events.push(
    {
      type: 'response.function_call_arguments.done',
      item_id: 'fc_1',
      output_index: 0,
      arguments: args,
    },
    { type: 'response.output_item.done', output_index: 0, item: { ...item, arguments: args } },
    {
      type: 'response.completed',
      response: { id: 'resp_1', output: [{ ...item, arguments: args }] },
    },
  );
  return events.map((e, i) => ({ ...e, sequence_number: i }));
}

describe('output stream rewrite: Responses function calls', () => {
  it('restores a placeholder in argument deltas split at every size, and in every full copy', async () => {
    const args = JSON.stringify({ to: TOKEN, note: `cc ${TOKEN}` });
    const want = JSON.stringify({ to: 'dana.lee@example.com', note: 'cc dana.lee@example.com' });
    for (let size = 1; size <= args.length; size += 3) {
      const out = await rewrite(functionCallStream(args, size));
      const deltas = out.filter((e) => e.type === 'response.function_call_arguments.delta');
      expect(deltas.map((e) => e.delta).join('')).toBe(want);
      expect(deltas.every((e) => e.delta !== '')).toBe(true);
      const done = out.find((e) => e.type === 'response.function_call_arguments.done');
      expect(done?.arguments).toBe(want);
      const itemDone = out.find((e) => e.type === 'response.output_item.done');
      expect((itemDone?.item as Json).arguments).toBe(want);
      const completed = out.find((e) => e.type === 'response.completed');
      expect(JSON.stringify(completed)).not.toContain('<EMAIL_1>');
      // Held deltas were dropped and released ones added: the numbers stay 0, 1, 2, …
      expect(out.map((e) => e.sequence_number)).toEqual(out.map((_, i) => i));
    }
  });
});

describe('output stream rewrite: hostile tool input', () => {
  it('refuses a tool_use input nested deeper than any request may be, typed, without recursing', async () => {
    // JSON.stringify cannot write 20,000 levels: the SSE text is built by hand.
    const deep = `${'{"a":'.repeat(20_000)}{"to":"${TOKEN}"}${'}'.repeat(20_000)}`;
    const start = `{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"f","input":${deep}}}`;
    const sse = `event: content_block_start\ndata: ${start}\n\n`;
    const out = rewriteSseStream('messages', Readable.from([Buffer.from(sse)]), deps);
    const error = await (async () => {
      try {
        for await (const _ of out) void _;
      } catch (err) {
        return err as { code?: string };
      }
      return undefined;
    })();
    expect(error?.code).toBe('upstream_bad_response');
  });

  it('restores a placeholder in a streamed tool_use input and its input_json_delta', async () => {
    const args = JSON.stringify({ to: TOKEN });
    const events: Json[] = [
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 't', name: 'f', input: { cc: TOKEN } },
      },
      ...[...args].map((c) => ({
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: c },
      })),
      { type: 'content_block_stop', index: 0 },
    ];
    const out = await rewrite(events, 5, 'messages');
    expect((out[0]?.content_block as Json).input).toEqual({ cc: 'dana.lee@example.com' });
    const json = out
      .filter((e) => e.type === 'content_block_delta')
      .map((e) => (e.delta as Json).partial_json)
      .join('');
    expect(JSON.parse(json)).toEqual({ to: 'dana.lee@example.com' });
    expect(out.at(-1)?.type).toBe('content_block_stop');
  });
});

describe('output stream rewrite: Chat Completions deltas', () => {
  const KEY = 'ghp_Xq7Rt2LmZ9wKp4Vb8NcY1sJd6Hf3Gu0Ae5Ti'; // bastion:allow test canary
  const chunk = (content: string) =>
    `data: {"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}]}\n\n`;
  const finish = `data: {"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n`;

  async function text(events: string[]): Promise<{ text: string; sse: string }> {
    let sse = '';
    const chunks = Readable.from(events.map((e) => Buffer.from(e)));
    for await (const b of rewriteSseStream('chat_completions', chunks, deps)) sse += b.toString();
    const text = sse
      .split('\n')
      .filter((l) => l.startsWith('data: {'))
      .map((l) => {
        const json = JSON.parse(l.slice(6)) as { choices: { delta: { content?: string } }[] };
        return json.choices[0]?.delta.content ?? '';
      })
      .join('');
    return { text, sse };
  }

  it('redacts a key split across deltas of every size, other fields byte for byte', async () => {
    const reply = `The key is ${KEY} and "quoted" text, done.`;
    for (let size = 1; size <= reply.length; size += 4) {
      const events: string[] = [];
      for (let i = 0; i < reply.length; i += size) events.push(chunk(reply.slice(i, i + size)));
      const { text: seen, sse } = await text([...events, finish]);
      expect(seen).not.toContain(KEY);
      expect(seen).toContain('"quoted" text, done.');
      expect(seen.startsWith('The key is ')).toBe(true);
      expect(sse.endsWith('data: [DONE]\n\n')).toBe(true);
      expect(sse).toContain('"object":"chat.completion.chunk","model":"m","choices"');
    }
  });

  it('rewrites the delta, not a look-alike, when the content key is escaped or repeated', async () => {
    const escaped = `data: {"choices":[{"index":0,"delta":{"con\\u0074ent":"${KEY} x"}}],"x\\"content":"${KEY} x"}\n\n`;
    const repeated = `data: {"choices":[{"index":0,"delta":{"content":"a","content":"${KEY} x"}}]}\n\n`;
    const spaced = `data: {"choices":[{"index":0,"delta":{"content" : "${KEY} x"}}],"y":{"content":"${KEY} x"}}\n\n`;
    for (const event of [escaped, repeated, spaced]) {
      const { sse } = await text([event, finish]);
      const deltas = sse
        .split('\n')
        .filter((l) => l.startsWith('data: {'))
        .map((l) => (JSON.parse(l.slice(6)) as { choices: { delta: Json }[] }).choices[0]?.delta);
      expect(JSON.stringify(deltas)).not.toContain(KEY);
    }
  });
});

describe('output stream rewrite: Messages text deltas', () => {
  const KEY = 'ghp_Xq7Rt2LmZ9wKp4Vb8NcY1sJd6Hf3Gu0Ae5Ti'; // bastion:allow test canary

  it('redacts a key split across text deltas, escaped text kept, held deltas dropped', async () => {
    const reply = `Use "${KEY}"\nthen \\ stop.`;
    for (let size = 1; size <= reply.length; size += 5) {
      const events: Json[] = [
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      ];
      for (let i = 0; i < reply.length; i += size)
        events.push({
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'text_delta', text: reply.slice(i, i + size) },
        });
      events.push({ type: 'content_block_stop', index: 0 });
      const out = await rewrite(events, 64, 'messages');
      const deltas = out.filter((e) => e.type === 'content_block_delta');
      const text = deltas.map((e) => (e.delta as Json).text).join('');
      expect(text).not.toContain(KEY);
      expect(text.startsWith('Use "[REDACTED:')).toBe(true);
      expect(text.endsWith('"\nthen \\ stop.')).toBe(true);
      expect(deltas.every((e) => (e.delta as Json).text !== '')).toBe(true);
    }
  });
});
