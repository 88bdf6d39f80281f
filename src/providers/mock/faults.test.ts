import { describe, expect, it } from 'vitest';
import { parseFault, parseFaults } from './faults.js';

describe('parseFault', () => {
  it('accepts every documented field', () => {
    const fault = {
      status: 429,
      retryAfterSec: 3,
      errorMessage: 'slow',
      echoKey: true,
      delayMs: 10,
      malformedJson: false,
      truncateAfterChunks: 2,
      reply: 'hi',
      chunkSize: 4,
    };
    expect(parseFault(fault)).toEqual({ ok: true, fault });
    expect(parseFault({ stallAfterChunks: 0, reset: false })).toMatchObject({ ok: true });
    expect(parseFault({ hostile: 'text_glued' })).toMatchObject({ ok: true });
    expect(parseFault({ replyAs: 'audio' })).toMatchObject({ ok: true });
  });

  it.each([
    [null, 'a fault must be a JSON object'],
    [[], 'a fault must be a JSON object'],
    [{ bogus: 1 }, 'unknown fault field "bogus"'],
    [{ status: 200 }, '"status" must be an integer from 400 to 599'],
    [{ delayMs: -1 }, '"delayMs" must be a number from 0 to 600000'],
    [{ chunkSize: 0 }, '"chunkSize" must be a positive integer'],
    [{ truncateAfterChunks: 1.5 }, '"truncateAfterChunks" must be a non-negative integer'],
    [{ retryAfterSec: 1 }, '"retryAfterSec" needs "status"'],
    [{ reset: true, status: 500 }, '"reset" and "status" exclude each other'],
    [{ hostile: 'ids', status: 500 }, '"hostile" and "status" exclude each other'],
    [
      { hostile: 'everything' },
      '"hostile" must be one of error_body, stream_error, malformed_line, ids, text, text_glued, text_split',
    ],
    [{ replyAs: 'speech' }, '"replyAs" must be one of function_call, audio'],
    [
      { truncateAfterChunks: 1, stallAfterChunks: 1 },
      '"truncateAfterChunks" and "stallAfterChunks" exclude each other',
    ],
  ])('refuses %j', (input, problem) => {
    expect(parseFault(input)).toEqual({ ok: false, problem });
  });
});

describe('parseFaults', () => {
  it('takes one fault or an array, and names the bad index', () => {
    expect(parseFaults({ reply: 'a' })).toEqual({ ok: true, faults: [{ reply: 'a' }] });
    expect(parseFaults([{ reply: 'a' }, { status: 500 }])).toMatchObject({ ok: true });
    expect(parseFaults([{ reply: 'a' }, { x: 1 }])).toEqual({
      ok: false,
      problem: '[1]: unknown fault field "x"',
    });
  });
});
