import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { OLD_GENERATION_FLAG, servingHeapFlags, YOUNG_GENERATION_FLAG } from './heap.js';

/**
 * A child Node that, for each step, applies its flags at run time (as `bastion serve` does, after
 * start-up), then allocates about 100 MB with some of it kept alive for a while, as a busy
 * gateway does. Prints its young generation's size in MiB after each step.
 */
function youngGenerationAfterLoad(steps: string[][]): number[] {
  const script = `
    const v8 = require('node:v8');
    const sizes = [];
    for (const flags of JSON.parse(process.argv[1])) {
      for (const flag of flags) v8.setFlagsFromString(flag);
      let kept = [];
      for (let i = 0; i < 1e6; i++) {
        const o = { i, s: 'request ' + i };
        if (i % 3 === 0) kept.push(o);
        if (kept.length > 20000) kept = [];
      }
      const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      sizes.push(young.space_size / 1048576);
    }
    process.stdout.write(JSON.stringify(sizes));
  `;
  const out = execFileSync(process.execPath, ['-e', script, JSON.stringify(steps)], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as number[];
}

describe('servingHeapFlags', () => {
  it('bounds both generations when the operator sets neither', () => {
    expect(servingHeapFlags([], '')).toEqual([YOUNG_GENERATION_FLAG, OLD_GENERATION_FLAG]);
    expect(servingHeapFlags(['--enable-source-maps'], '--dns-result-order=ipv4first')).toEqual([
      YOUNG_GENERATION_FLAG,
      OLD_GENERATION_FLAG,
    ]);
  });

  it("keeps V8's young generation when the operator sizes it, in either spelling", () => {
    expect(servingHeapFlags([], '--max-semi-space-size=16')).toEqual([OLD_GENERATION_FLAG]);
    expect(servingHeapFlags(['--max_semi_space_size=16'])).toEqual([OLD_GENERATION_FLAG]);
    expect(servingHeapFlags([], ' --semi-space-growth-factor=2 ')).toEqual([OLD_GENERATION_FLAG]);
  });

  it('keeps the growth bound with --min-semi-space-size: that sets the fixed young size', () => {
    expect(servingHeapFlags(['--min-semi-space-size=4'])).toEqual([
      YOUNG_GENERATION_FLAG,
      OLD_GENERATION_FLAG,
    ]);
  });

  it("keeps V8's old-generation growth when the operator sets it", () => {
    expect(servingHeapFlags(['--heap-growing-percent=0'])).toEqual([YOUNG_GENERATION_FLAG]);
    expect(servingHeapFlags([], '--heap_growing_percent=20 --max-semi-space-size=8')).toEqual([]);
  });

  it('the young-generation flags still work when set at run time on this Node', () => {
    // V8 grows the young generation under load (to 32 MiB on 64-bit); held, it keeps its
    // initial 2 MiB; released again (capYoungGeneration under load), it grows. A Node that
    // stopped reading the flag after start-up would fail here instead of using more memory.
    expect(youngGenerationAfterLoad([[]])[0]).toBeGreaterThanOrEqual(8);
    const [held, released] = youngGenerationAfterLoad([
      [YOUNG_GENERATION_FLAG],
      ['--semi-space-growth-factor=2'],
    ]);
    expect(held).toBeLessThanOrEqual(2);
    expect(released).toBeGreaterThan(2);
  });
});
