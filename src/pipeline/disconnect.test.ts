import { describe, expect, it } from 'vitest';
import { DisconnectSignal } from './disconnect.js';

describe('DisconnectSignal', () => {
  it('tells each listener once, in order, not removed ones and none added after', () => {
    const disconnect = new DisconnectSignal();
    const calls: string[] = [];
    const listener = (name: string) => ({ handleEvent: () => calls.push(name) });
    const a = listener('a');
    const b = listener('b');
    const c = listener('c');
    disconnect.addEventListener('abort', a);
    disconnect.addEventListener('abort', b);
    disconnect.addEventListener('abort', c);
    disconnect.removeEventListener('abort', b);
    disconnect.abort();
    disconnect.abort();
    disconnect.addEventListener('abort', listener('late'));
    expect([calls, disconnect.aborted]).toEqual([['a', 'c'], true]);
  });

  it('gives an AbortSignal that follows it, whether asked for before or after the abort', () => {
    const early = new DisconnectSignal();
    const signal = early.signal;
    expect(signal.aborted).toBe(false);
    early.abort();
    expect([signal.aborted, early.signal]).toEqual([true, signal]);

    const late = new DisconnectSignal();
    late.abort();
    expect(late.signal.aborted).toBe(true);
  });
});
