import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defaultStreamDeps } from '../../../test/helpers/stream-guard.js';
import { rewriteSseStream } from './output-stream.js';

/**
 * Chat Completions stream fields besides `content` and `tool_calls`, attacked as a model or an
 * OpenAI-compatible server would: the legacy `function_call`, audio transcripts, fields the
 * guard has no handler for. The canary must never reach the caller, whole or in pieces.
 */

const CANARY = 'sk-proj-Qw7eR4tY1uI8oP5aS2dF9gH6jK3lZ0xCvBnM4qWeRtYuIoPaSd'; // bastion:allow test canary
const REDACTED = '[REDACTED:openai-project-key]';
/** Two pieces of the canary no filter would see as a key on its own. */
const HEAD = CANARY.slice(0, 20);
const TAIL = CANARY.slice(20);

const deps = defaultStreamDeps();

type Json = Record<string, unknown>;

const chunk = (delta: Json, finish: string | null = null, extra: Json = {}) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  model: 'gpt-4o-mini',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish, ...extra }],
});

/** The chunks through the guard, the raw SSE cut in pieces of 5 characters; the bytes out. */
async function guard(chunks: Json[]): Promise<string> {
  const sse = `${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: [DONE]\n\n`;
  const pieces: Buffer[] = [];
  for (let i = 0; i < sse.length; i += 5) pieces.push(Buffer.from(sse.slice(i, i + 5)));
  let out = '';
  for await (const b of rewriteSseStream('chat_completions', Readable.from(pieces), deps))
    out += b.toString();
  return out;
}

/** Each delta of choice 0 the caller gets. */
const deltas = (sse: string): Json[] =>
  sse
    .split('\n')
    .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
    .map((l) => JSON.parse(l.slice(6)) as { choices: { delta: Json }[] })
    .flatMap((c) => c.choices.map((choice) => choice.delta));

/** What a client assembles of `field.sub` over the deltas. */
const joined = (sse: string, field: string, sub: string) =>
  deltas(sse)
    .map((d) => (d[field] as Record<string, string> | undefined)?.[sub] ?? '')
    .join('');

function expectNoCanary(sse: string): void {
  expect(sse).not.toContain(HEAD);
  expect(sse).not.toContain(TAIL);
}

describe('chat stream: fields besides content', () => {
  it('catches a key split across two deltas of the legacy function_call.arguments', async () => {
    const out = await guard([
      chunk({ role: 'assistant', content: null, function_call: { name: 'send', arguments: '' } }),
      chunk({ function_call: { arguments: `{"note":"${HEAD}` } }),
      chunk({ function_call: { arguments: `${TAIL}","to":"ops"}` } }),
      chunk({}, 'function_call'),
    ]);
    expectNoCanary(out);
    expect(JSON.parse(joined(out, 'function_call', 'arguments'))).toEqual({
      note: REDACTED,
      to: 'ops',
    });
    // The finishing chunk comes after the arguments it closes.
    const last = out.lastIndexOf('"finish_reason":"function_call"');
    expect(out.lastIndexOf('"arguments"')).toBeLessThan(last);
  });

  it('catches a key split across two deltas of audio.transcript', async () => {
    const out = await guard([
      chunk({ role: 'assistant', content: null }),
      chunk({ audio: { id: 'audio_1', transcript: `The key is ${HEAD}` } }),
      chunk({ audio: { transcript: `${TAIL}, read it out.` } }),
      chunk({ audio: { data: 'UklGRiQAAABXQVZF' } }),
      chunk({}, 'stop'),
    ]);
    expectNoCanary(out);
    expect(joined(out, 'audio', 'transcript')).toBe(`The key is ${REDACTED}, read it out.`);
    expect(joined(out, 'audio', 'data')).toBe('UklGRiQAAABXQVZF');
  });

  it('screens a delta field the guard has no handler for, and its name', async () => {
    const out = await guard([
      chunk({ content: 'Hi', x_note: `key ${CANARY}` }),
      chunk({ content: '!', annotations: [{ type: 'url_citation', title: CANARY }] }),
      chunk({ [CANARY]: 1 }),
      chunk({}, 'stop'),
    ]);
    expect(out).not.toContain(CANARY);
    expect(deltas(out)[0]?.x_note).toMatch(/^key \[REDACTED:[a-z-]+\]$/);
  });

  it('screens a field of function_call or audio the guard has no handler for', async () => {
    const out = await guard([
      chunk({ function_call: { name: 'f', arguments: '{}', hint: CANARY } }),
      chunk({ audio: { transcript: 'ok', note: CANARY } }),
      chunk({}, 'stop'),
    ]);
    expect(out).not.toContain(CANARY);
  });

  it('screens a known field of a shape the guard does not take (content as parts)', async () => {
    const out = await guard([
      chunk({ content: [{ type: 'text', text: CANARY }] }),
      chunk({}, 'stop'),
    ]);
    expect(out).not.toContain(CANARY);
  });

  it('screens fields of a choice beside its delta (logprobs tokens, a provider addition)', async () => {
    const logprobs = {
      content: [{ token: CANARY, logprob: -0.1, bytes: [115], top_logprobs: [] }],
    };
    const out = await guard([
      chunk({ content: 'A' }),
      chunk({}, null, { logprobs }),
      chunk({}, 'stop', { provider_note: CANARY }),
    ]);
    expect(out).not.toContain(CANARY);
    expect(
      deltas(out)
        .map((d) => (d.content as string | undefined) ?? '')
        .join(''),
    ).toBe('A');
  });

  it('screens what tool-call deltas carry besides their arguments, and entries that are no call', async () => {
    const out = await guard([
      chunk({ role: 'assistant', content: null }),
      chunk({
        tool_calls: [
          {
            index: 0,
            id: 'call_1',
            type: 'function',
            note: `see ${CANARY}`,
            function: { name: 'send', arguments: '', description: CANARY },
          },
          `raw ${CANARY}`,
          [{ deep: CANARY }],
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"to":"ops"}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    expect(out).not.toContain(CANARY);
    // Fields screened whole name what they redact more broadly than the arguments filter does.
    expect(out).toContain('see [REDACTED:credential]');
    expect(out).toContain('raw [REDACTED:credential]');
    // The call itself still arrives whole: its id, name and arguments.
    const calls = deltas(out).flatMap((d) => (d.tool_calls as Json[] | undefined) ?? []);
    expect(calls[0]).toMatchObject({ id: 'call_1', function: { name: 'send' } });
    const args = calls
      .map((c) => ((c.function as Json | undefined)?.arguments as string | undefined) ?? '')
      .join('');
    expect(args).toBe('{"to":"ops"}');
  });

  it('passes a chunk of only a role and empty content byte for byte', async () => {
    const first = chunk({ role: 'assistant', content: '' });
    const out = await guard([first, chunk({ content: 'Hello' }), chunk({}, 'stop')]);
    expect(out.startsWith(`data: ${JSON.stringify(first)}\n\n`)).toBe(true);
  });
});
