import { describe, expect, it } from 'vitest';
import type { Clock } from '../util/clock.js';
import { createProgress } from './progress.js';

function fakeClock(): Clock & { advance(ms: number): void } {
  let t = 1000;
  return { now: () => t, monotonicMs: () => t, advance: (ms) => (t += ms) };
}

describe('createProgress', () => {
  it('draws done/total and rates, at most once per interval, and clears the line', () => {
    const clock = fakeClock();
    let out = '';
    const progress = createProgress({
      stream: { write: (t: string) => (out += t) },
      clock,
      unit: 'files',
    });
    progress.start(10);
    clock.advance(500);
    progress.update(2, 5_000_000);
    expect(out).toBe('\r\u001b[2Kscanning 2/10 files · 4.0 files/s · 10.0 MB/s');
    out = '';
    clock.advance(50);
    progress.update(3, 6_000_000);
    expect(out).toBe('');
    progress.update(10, 7_000_000); // the last update always draws
    expect(out).toContain('scanning 10/10 files');
    out = '';
    progress.finish();
    expect(out).toBe('\r\u001b[2K');
  });

  it('writes nothing when nothing was drawn', () => {
    let out = '';
    const progress = createProgress({
      stream: { write: (t: string) => (out += t) },
      clock: fakeClock(),
      unit: 'commits',
    });
    progress.finish();
    expect(out).toBe('');
  });
});
