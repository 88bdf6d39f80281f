import { describe, expect, it } from 'vitest';
import { DeferStack } from './defer.js';

describe('DeferStack', () => {
  it('runs last-in first-out, once, past a failing undo, including work deferred meanwhile', async () => {
    const stack = new DeferStack();
    const ran: string[] = [];
    const errors: unknown[] = [];
    stack.push(() => void ran.push('audit'));
    stack.push(() => {
      ran.push('release');
      stack.push(() => void ran.push('late'));
    });
    stack.push(() => {
      throw new Error('settle failed');
    });
    await stack.runAll((err) => errors.push(err));
    await stack.runAll((err) => errors.push(err));
    expect(ran).toEqual(['release', 'late', 'audit']);
    expect(errors).toHaveLength(1);
  });
});
