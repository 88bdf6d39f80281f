import { describe, expect, it } from 'vitest';
import { formatDuration } from './rate-limit.js';

describe('x-ratelimit-reset format', () => {
  it("writes durations the way OpenAI's headers do", () => {
    expect(formatDuration(20)).toBe('20ms');
    expect(formatDuration(1_500)).toBe('1.5s');
    expect(formatDuration(60_000)).toBe('1m0s');
    expect(formatDuration(361_000)).toBe('6m1s');
    expect(formatDuration(3_723_000)).toBe('1h2m3s');
    expect(formatDuration(-5)).toBe('0ms');
  });
});
