import { describe, expect, it } from 'vitest';
import { createTokenCounter, encodingFor, promptPieces } from './tokens.js';

const counter = createTokenCounter({ estimateBytesPerToken: 3, exactTokenizeMaxChars: 1_000 });

describe('prompt token counting', () => {
  it('picks the real encoding for OpenAI models and none for others', () => {
    expect(encodingFor('gpt-4o-mini')).toBe('o200k_base');
    expect(encodingFor('o3-mini')).toBe('o200k_base');
    expect(encodingFor('gpt-4-turbo')).toBe('cl100k_base');
    expect(encodingFor('text-embedding-3-small')).toBe('cl100k_base');
    expect(encodingFor('claude-haiku-4-5')).toBeUndefined();
  });

  it("counts OpenAI chat prompts like OpenAI's framing: content tokens + 3 a message + 3", async () => {
    await counter.preload();
    const body = { messages: [{ role: 'user', content: 'hello world' }] };
    // o200k: "user" 1 token, "hello world" 2 tokens; 3 for the message, 3 to prime the reply.
    expect(await counter.countPrompt('chat_completions', body, 'gpt-4o-mini')).toBe(1 + 2 + 3 + 3);
    const again = await counter.countPrompt('chat_completions', body, 'gpt-4o-mini');
    expect(again).toBe(9);
  });

  it('estimates other models from UTF-8 bytes, above the real count', async () => {
    const body = { system: 'be brief', messages: [{ role: 'user', content: 'x'.repeat(300) }] };
    const n = await counter.countPrompt('messages', body, 'claude-haiku-4-5');
    // system 8 bytes → 3, role 4 → 2, content 300 → 100; 3 per message for 2 messages; +3.
    expect(n).toBe(3 + 2 + 100 + 6 + 3);
  });

  it('charges one token per UTF-8 byte past the exact-tokenize limit: never below the real count', async () => {
    const long = 'a'.repeat(3_000);
    expect(await counter.countPrompt('embeddings', { input: long }, 'text-embedding-3-small')).toBe(
      3_000,
    );
    const emoji = '😀'.repeat(1_000);
    expect(await counter.countPrompt('embeddings', { input: emoji }, 'gpt-4o')).toBe(4_000);
  });

  it('counts a prompt that spells a special token as text instead of throwing', async () => {
    await counter.preload();
    const body = { messages: [{ role: 'user', content: 'hi <|endoftext|><|im_start|>' }] };
    const n = await counter.countPrompt('chat_completions', body, 'gpt-4o-mini');
    expect(n).toBeGreaterThan(1 + 3 + 3);
    expect(n).toBeLessThan(30);
  });

  it('gives the event loop turns on many short messages too', async () => {
    const big = createTokenCounter({ estimateBytesPerToken: 3, exactTokenizeMaxChars: 1_000_000 });
    await big.preload();
    const messages = Array.from({ length: 200 }, (_, i) => ({
      role: 'user',
      content: `${i} ${'ภาษาไทย'.repeat(140)}`,
    }));
    let turns = 0;
    const timer = setImmediate(() => (turns += 1));
    const n = await big.countPrompt('chat_completions', { messages }, 'gpt-4o-mini');
    clearImmediate(timer);
    expect({ ranBetween: turns > 0, isCounted: n > 200 * 140 }).toEqual({
      ranBetween: true,
      isCounted: true,
    });
  });

  it('counts a long prompt in slices, letting the event loop run between them', async () => {
    const big = createTokenCounter({ estimateBytesPerToken: 3, exactTokenizeMaxChars: 1_000_000 });
    await big.preload();
    const body = { messages: [{ role: 'user', content: '漢字中文'.repeat(25_000) }] };
    let turns = 0;
    const tick = () => {
      turns++;
      if (turns < 1_000) timer = setImmediate(tick);
    };
    let timer = setImmediate(tick);
    const counted = big.countPrompt('chat_completions', body, 'gpt-4o-mini');
    const turnsWhenCalled = turns;
    const n = await counted;
    clearImmediate(timer);
    expect({ turnsWhenCalled, ranBetween: turns > 1 }).toEqual({
      turnsWhenCalled: 0,
      ranBetween: true,
    });
    // 100,000 characters, about 0.75 tokens each, plus one token per cut (about 2%).
    expect(n).toBeGreaterThan(75_000);
    expect(n).toBeLessThan(80_000);
  });

  it('reads every text the provider bills: system, blocks, tools, embeddings arrays', () => {
    expect(
      promptPieces('messages', {
        system: [{ type: 'text', text: 'sys' }],
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'a' },
              { type: 'image', source: {} },
            ],
          },
        ],
        tools: [{ name: 't' }],
      }).texts,
    ).toEqual(['sys', 'user', 'a', '[{"name":"t"}]']);
    expect(promptPieces('embeddings', { input: [[1, 2, 3], 'x'] })).toEqual({
      texts: ['x'],
      messages: 0,
      tokenArrays: 3,
    });
    expect(promptPieces('responses', { instructions: 'i', input: 'hi' }).texts).toEqual([
      'i',
      'hi',
    ]);
  });
});
