import { describe, expect, it } from 'vitest';
import { newRequestId } from './ids.js';

describe('newRequestId', () => {
  it('never repeats, across many refills of the random pool', () => {
    const ids = Array.from({ length: 5000 }, () => newRequestId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 50)) expect(id).toMatch(/^req_[0-9a-z]+[A-Za-z0-9_-]{12}$/);
    expect(new Set(ids.map((id) => id.slice(-12))).size).toBe(ids.length);
  });

  it('holds the time in base 36 and 9 random bytes in base64url, every character reachable', () => {
    const before = Date.now();
    const ids = Array.from({ length: 5000 }, () => newRequestId());
    const after = Date.now();
    for (const id of ids) {
      const ms = parseInt(id.slice(4, -12), 36);
      expect(ms).toBeGreaterThanOrEqual(before);
      expect(ms).toBeLessThanOrEqual(after);
      expect(Buffer.from(id.slice(-12), 'base64url').toString('base64url')).toBe(id.slice(-12));
    }
    for (let at = 1; at <= 12; at++) {
      expect(new Set(ids.map((id) => id.at(-at))).size).toBe(64);
    }
  });
});
