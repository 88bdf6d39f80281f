import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createOpenAiAdapter } from './adapter.js';
import { createOpenAiStreamTap } from './stream.js';

const chunk = (obj: unknown) => `data: ${JSON.stringify(obj)}\n\n`;
const content = (text: string) =>
  chunk({
    id: 'c',
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta: { content: text } }],
    usage: null,
  });
const usageOnly = chunk({
  id: 'c',
  object: 'chat.completion.chunk',
  choices: [],
  usage: { prompt_tokens: 11, completion_tokens: 7 },
});
const stream = content('Hel') + content('lo') + usageOnly + 'data: [DONE]\n\n';

function run(isUsageRequestedByCaller: boolean, pieces: Buffer[]) {
  const tap = createOpenAiStreamTap('chat_completions', { isUsageRequestedByCaller });
  const out = Buffer.concat([...pieces.map((p) => tap.push(p)), tap.flush()]).toString();
  return { out, tap };
}

describe('OpenAI chat stream tap', () => {
  it('reads usage and the end marker, forwarding bytes unchanged when the caller asked for usage', () => {
    const { out, tap } = run(true, [Buffer.from(stream)]);
    expect(out).toBe(stream);
    expect(tap.usage).toEqual({ promptTokens: 11, completionTokens: 7 });
    expect(tap.isComplete).toBe(true);
  });

  it('drops the usage event the gateway added when the caller did not ask for it', () => {
    const { out, tap } = run(false, [Buffer.from(stream)]);
    expect(out).toBe(content('Hel') + content('lo') + 'data: [DONE]\n\n');
    expect(tap.usage).toEqual({ promptTokens: 11, completionTokens: 7 });
  });

  it('is not complete when the stream stops before [DONE]', () => {
    const { tap } = run(true, [Buffer.from(content('Hel'))]);
    expect(tap.isComplete).toBe(false);
  });

  it('gives the same output and usage for every split of the upstream bytes', () => {
    const bytes = Buffer.from(stream);
    const whole = run(false, [bytes]);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 12 }),
        (cuts) => {
          const points = [...new Set(cuts)].sort((a, b) => a - b);
          const pieces: Buffer[] = [];
          let last = 0;
          for (const p of [...points, bytes.length]) {
            pieces.push(bytes.subarray(last, p));
            last = p;
          }
          const split = run(false, pieces);
          expect(split.out).toBe(whole.out);
          expect(split.tap.usage).toEqual(whole.tap.usage);
        },
      ),
    );
  });

  it('reads usage from response.completed on Responses streams', () => {
    const tap = createOpenAiStreamTap('responses', { isUsageRequestedByCaller: true });
    tap.push(
      Buffer.from(
        `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"hi"}\n\n` +
          `event: response.completed\ndata: ${JSON.stringify({ type: 'response.completed', response: { usage: { input_tokens: 5, output_tokens: 2 } } })}\n\n`,
      ),
    );
    expect(tap.usage).toEqual({ promptTokens: 5, completionTokens: 2 });
    expect(tap.isComplete).toBe(true);
  });
});

describe('OpenAI adapter body preparation', () => {
  const adapter = createOpenAiAdapter();

  it('forwards the caller bytes untouched when nothing needs editing', () => {
    const prepared = adapter.prepareBody(
      'chat_completions',
      { model: 'gpt-4o-mini', messages: [] },
      undefined,
      false,
    );
    expect(prepared.json).toBeUndefined();
  });

  it('asks for usage on streams and remembers the caller did not', () => {
    const prepared = adapter.prepareBody(
      'chat_completions',
      { model: 'm', stream: true },
      undefined,
      true,
    );
    expect(prepared.json?.stream_options).toEqual({ include_usage: true });
    expect(prepared.isUsageRequestedByCaller).toBe(false);
  });

  it('rewrites an alias to the upstream model', () => {
    const prepared = adapter.prepareBody(
      'embeddings',
      { model: 'fast', input: 'x' },
      'text-embedding-3-small',
      false,
    );
    expect(prepared.json?.model).toBe('text-embedding-3-small');
  });
});
