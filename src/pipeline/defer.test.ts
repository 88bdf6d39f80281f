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

  it('awaits each undo that returns a promise before the next, past one that rejects', async () => {
    const stack = new DeferStack();
    const ran: string[] = [];
    const errors: unknown[] = [];
    stack.push(() => void ran.push('audit'));
    stack.push(async () => {
      await Promise.resolve();
      ran.push('settle');
      stack.push(() => void ran.push('late'));
    });
    stack.push(() => Promise.reject(new Error('release failed')));
    stack.push(() => void ran.push('sync'));
    const done = stack.runAll((err) => errors.push(err));
    expect(ran).toEqual(['sync']);
    await done;
    expect(ran).toEqual(['sync', 'settle', 'late', 'audit']);
    expect(errors).toHaveLength(1);
    expect(stack.runAll(() => undefined)).toBeUndefined();
  });
});
