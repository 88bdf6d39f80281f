import { describe, expect, it } from 'vitest';
import { IdentifierCheck, isSafeIdentifier, reportedError } from './reply-check.js';

describe('reply checks', () => {
  it.each([
    'chatcmpl-9xQm2',
    'msg_01XFDUDYJgAACzvnptvVoYEL',
    'fp_44709d6fcb',
    'gpt-4o-2024-08-06',
    'deepseek-r1-distill-llama-70b',
    'accounts/fireworks/models/llama-v3p1-8b-instruct',
    'llama3.1:8b',
  ])('keeps the identifier %s', (id) => expect(isSafeIdentifier(id)).toBe(true));

  it.each([
    'sk-canary-openai-6f1d2c9a8b7e4d3c2b1a0f9e',
    `xsk-proj-${'Ab3'.repeat(16)}`,
    'id with spaces',
    'Bearer abcdefghijkl',
  ])('refuses %s', (id) => expect(isSafeIdentifier(id)).toBe(false));

  it('replaces a key planted in the names beside the text, keeps real names and empty ones', () => {
    const key = 'sk-canary-openai-6f1d2c9a8b7e4d3c2b1a0f9e';
    const chunk = {
      id: 'chatcmpl-1',
      choices: [
        {
          index: 0,
          delta: {
            role: key,
            tool_calls: [
              { index: 0, id: key, function: { name: key, arguments: '' } },
              { index: 1, id: 'call_abc', function: { name: 'get_weather', arguments: '' } },
              { index: 2, id: '', function: { name: '', arguments: '{}' } },
            ],
            function_call: { name: key, arguments: '' },
            audio: { id: key, transcript: 'hi' },
          },
        },
      ],
    };
    expect(new IdentifierCheck().fix(chunk)).toBe(true);
    const delta = chunk.choices[0]?.delta;
    expect(delta?.role).toBe('assistant');
    expect(delta?.tool_calls[0]?.id).toMatch(/^bastion-[0-9a-f]{24}$/);
    expect(delta?.tool_calls[0]?.function.name).toMatch(/^bastion-[0-9a-f]{24}$/);
    expect(delta?.tool_calls.slice(1)).toEqual([
      { index: 1, id: 'call_abc', function: { name: 'get_weather', arguments: '' } },
      { index: 2, id: '', function: { name: '', arguments: '{}' } },
    ]);
    expect(delta?.function_call.name).toMatch(/^bastion-/);
    expect(delta?.audio.id).toMatch(/^bastion-/);
    expect(delta?.audio.transcript).toBe('hi');
    const message = { choices: [{ index: 0, message: { role: 'assistant', content: 'x' } }] };
    expect(new IdentifierCheck().fix(message)).toBe(false);
    const block = {
      type: 'content_block_start',
      content_block: { type: 'tool_use', id: key, name: key },
    };
    expect(new IdentifierCheck().fix(block)).toBe(true);
    expect(JSON.stringify(block)).not.toContain(key);
  });

  it('replaces an unsafe id with one stable value per reply, drops the fingerprint', () => {
    const check = new IdentifierCheck();
    const a = { id: 'sk-canary-openai-6f1d2c9a8b7e4d3c2b1a0f9e', system_fingerprint: 'x y' };
    const b = { id: 'sk-canary-openai-6f1d2c9a8b7e4d3c2b1a0f9e', model: 'gpt-4o' };
    expect([check.fix(a), check.fix(b)]).toEqual([true, true]);
    expect(a.id).toMatch(/^bastion-[0-9a-f]{24}$/);
    expect(b.id).toBe(a.id);
    expect(a.system_fingerprint).toBeNull();
    expect(b.model).toBe('gpt-4o');
  });

  it('turns an error the provider reports into our code, never its text', () => {
    expect(reportedError({ error: { message: 'sk-x' } })?.code).toBe('upstream_error');
    expect(reportedError({ type: 'error', error: { type: 'overloaded_error' } })?.code).toBe(
      'upstream_overloaded',
    );
    expect(reportedError({ type: 'response.failed' })?.message).not.toContain('sk-');
    expect(reportedError({ id: 'x', error: null })).toBeUndefined();
  });
});
