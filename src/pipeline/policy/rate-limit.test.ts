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

describe('x-ratelimit-reset values built once', () => {
  it('answers every duration as formatting it afresh does, the first time and again', () => {
    const fresh = (ms: number): string => {
      const clamped = Math.max(0, Math.ceil(ms));
      if (clamped < 1_000) return `${clamped}ms`;
      const totalSec = clamped / 1_000;
      if (totalSec < 60) return `${Math.round(totalSec * 10) / 10}s`;
      const s = Math.floor(totalSec);
      const h = Math.floor(s / 3_600);
      const m = Math.floor((s % 3_600) / 60);
      return `${h > 0 ? `${h}h` : ''}${m}m${s % 60}s`;
    };
    const samples = [-1, 0, 0.2, 999.1, 1_000, 1_049, 1_050, 1_051, 59_949, 59_950, 59_999];
    for (let ms = 0; ms < 4_000_000; ms += 997) samples.push(ms, ms + 0.5);
    samples.push(86_400_999, 86_401_000, 90_000_000);
    for (const ms of samples) {
      expect(formatDuration(ms)).toBe(fresh(ms));
      expect(formatDuration(ms)).toBe(fresh(ms));
    }
  });
});
