import { describe, expect, it } from 'vitest';
import { resolveTimeouts, UpstreamDeadline } from './timeouts.js';

const defaults = {
  connectTimeoutMs: 5_000,
  firstByteTimeoutMs: 60_000,
  idleTimeoutMs: 60_000,
  totalTimeoutMs: 600_000,
};

describe('resolveTimeouts', () => {
  it('takes the model over the provider over the defaults; connect only from the provider', () => {
    expect(
      resolveTimeouts(
        defaults,
        { connectTimeoutMs: 1_000, firstByteTimeoutMs: 2_000, idleTimeoutMs: 3_000 },
        { firstByteTimeoutMs: 20_000 },
      ),
    ).toEqual({
      connectTimeoutMs: 1_000,
      firstByteTimeoutMs: 20_000,
      idleTimeoutMs: 3_000,
      totalTimeoutMs: 600_000,
    });
    expect(resolveTimeouts(defaults, undefined, undefined)).toEqual(defaults);
  });
});

describe('UpstreamDeadline', () => {
  const activeTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

  it('aborts when the caller leaves, without counting as expired, and holds no timer after', () => {
    const before = activeTimers();
    const caller = new AbortController();
    const deadline = new UpstreamDeadline(caller.signal, 60_000, () => 0);
    expect(activeTimers()).toBe(before + 1);
    caller.abort();
    expect([deadline.aborted, deadline.isExpired]).toEqual([true, false]);
    expect(activeTimers()).toBe(before);
  });

  it('aborts as expired when the budget runs out', async () => {
    const deadline = new UpstreamDeadline(new AbortController().signal, 1, () => 0);
    await new Promise((resolve) => deadline.addEventListener('abort', () => resolve(undefined)));
    expect(deadline.isExpired).toBe(true);
  });

  it('clear() releases the timer and is idempotent; remainingMs follows the clock', () => {
    const before = activeTimers();
    let now = 100;
    const deadline = new UpstreamDeadline(new AbortController().signal, 1_000, () => now);
    now = 400;
    expect(deadline.remainingMs()).toBe(700);
    deadline.clear();
    deadline.clear();
    expect(activeTimers()).toBe(before);
    expect(deadline.aborted).toBe(false);
  });

  it('starts aborted when the caller already left', () => {
    const caller = new AbortController();
    caller.abort();
    const deadline = new UpstreamDeadline(caller.signal, 1_000, () => 0);
    expect(deadline.aborted).toBe(true);
  });
});

describe('UpstreamDeadline as an abort signal', () => {
  it('calls each listener once on abort, not removed ones, and none added after', () => {
    const caller = new AbortController();
    const deadline = new UpstreamDeadline(caller.signal, 60_000, () => 0);
    const calls: string[] = [];
    const a = () => calls.push('a');
    const b = () => calls.push('b');
    deadline.addEventListener('abort', a);
    deadline.addEventListener('abort', b);
    deadline.removeEventListener('abort', b);
    caller.abort();
    caller.abort();
    deadline.addEventListener('abort', () => calls.push('late'));
    expect(calls).toEqual(['a']);
    expect((deadline.reason as Error).name).toBe('AbortError');
  });

  it('calls listeners in the order added, whichever of them was removed', () => {
    const caller = new AbortController();
    const deadline = new UpstreamDeadline(caller.signal, 60_000, () => 0);
    const calls: string[] = [];
    const a = () => void calls.push('a');
    const b = () => void calls.push('b');
    const c = () => void calls.push('c');
    const d = () => void calls.push('d');
    deadline.addEventListener('abort', a);
    deadline.removeEventListener('abort', a);
    deadline.addEventListener('abort', b);
    deadline.addEventListener('abort', c);
    deadline.removeEventListener('abort', b);
    deadline.addEventListener('abort', d);
    deadline.addEventListener('abort', a);
    caller.abort();
    expect(calls).toEqual(['c', 'd', 'a']);
  });
});
