import { describe, expect, it } from 'vitest';
import { newRequestId } from './ids.js';

describe('newRequestId', () => {
  it('never repeats, across many refills of the random pool', () => {
    const ids = Array.from({ length: 5000 }, () => newRequestId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 50)) expect(id).toMatch(/^req_[0-9a-z]+[A-Za-z0-9_-]{12}$/);
    expect(new Set(ids.map((id) => id.slice(-12))).size).toBe(ids.length);
  });
});
