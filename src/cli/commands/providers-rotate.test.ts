import { describe, expect, it } from 'vitest';
import { judgeStep } from './providers-rotate.js';

const closed = 'closed' as const;

describe('judgeStep (the rotation rollback rule)', () => {
  it('waits while there is no completed evidence, however many calls are in flight', () => {
    // Only completed outcomes reach judgeStep: in-flight calls are not successes.
    expect(judgeStep({ successes: 0, failures: 0, breaker: closed }, 10)).toEqual({
      verdict: 'wait',
    });
    expect(judgeStep({ successes: 9, failures: 0, breaker: closed }, 10).verdict).toBe('wait');
  });

  it('passes on enough completed successes with no failing majority', () => {
    expect(judgeStep({ successes: 10, failures: 3, breaker: closed }, 10).verdict).toBe('pass');
    expect(judgeStep({ successes: 10, failures: 10, breaker: closed }, 10).verdict).toBe('pass');
  });

  it('rolls back on an open breaker or a failing majority of at least 5 completed calls', () => {
    expect(judgeStep({ successes: 50, failures: 0, breaker: 'open' }, 10)).toEqual({
      verdict: 'roll_back',
      reason: 'its breaker is open',
    });
    expect(judgeStep({ successes: 2, failures: 3, breaker: closed }, 10)).toEqual({
      verdict: 'roll_back',
      reason: 'it failed 3 of 5 completed calls',
    });
    expect(judgeStep({ successes: 10, failures: 11, breaker: closed }, 10).verdict).toBe(
      'roll_back',
    );
    // Too few completed calls for a rate: wait for more.
    expect(judgeStep({ successes: 0, failures: 4, breaker: closed }, 10).verdict).toBe('wait');
  });
});
