import { describe, expect, it } from 'vitest';
import { anomaliesSchema } from './config.js';
import { EMPTY_BASELINE, foldEwma, spikeThreshold, type Baseline } from './ewma.js';
import { networkOf } from './network.js';

const spend = anomaliesSchema.parse({
  spendSpike: { floor: 50, minSamples: 5, zScore: 4, minRatio: 3 },
}).spendSpike;

const fold = (xs: number[], alpha = 0.1): Baseline =>
  xs.reduce((b, x) => foldEwma(b, x, alpha), EMPTY_BASELINE);

describe('EWMA baseline and spike threshold', () => {
  it('seeds the mean with the first bucket and moves it by alpha after', () => {
    expect(fold([10])).toEqual({ mean: 10, variance: 0, samples: 1 });
    const b = fold([10, 20]);
    expect(b.mean).toBeCloseTo(11);
    // (1 - a) * (0 + a * d^2) with d = 10
    expect(b.variance).toBeCloseTo(0.9 * 0.1 * 100);
    expect(b.samples).toBe(2);
  });

  it('converges on a steady rate and tracks its spread', () => {
    const steady = fold(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 90 : 110)));
    expect(steady.mean).toBeGreaterThan(95);
    expect(steady.mean).toBeLessThan(105);
    expect(Math.sqrt(steady.variance)).toBeGreaterThan(5);
    expect(Math.sqrt(steady.variance)).toBeLessThan(15);
  });

  it('does not alert while learning, then asks for z deviations, a ratio and the floor', () => {
    expect(spikeThreshold(fold([10, 10, 10, 10]), spend)).toBe(Number.POSITIVE_INFINITY);
    // Steady 10 per bucket: no spread, so the ratio (3 x 10) and the floor (50) decide.
    expect(spikeThreshold(fold([10, 10, 10, 10, 10]), spend)).toBe(50);
    // Steady 100: 3 x 100.
    expect(spikeThreshold(fold(Array<number>(20).fill(100)), spend)).toBe(300);
    // Noisy around 100: the z-score term is above the ratio term.
    const noisy = fold(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 20 : 180)));
    const t = spikeThreshold(noisy, spend);
    expect(t).toBeCloseTo(noisy.mean + 4 * Math.sqrt(noisy.variance));
    expect(t).toBeGreaterThan(300);
  });

  it('flags a 20x bucket against a steady baseline and leaves a 2x one alone', () => {
    const t = spikeThreshold(fold(Array<number>(30).fill(100)), spend);
    expect(20 * 100).toBeGreaterThanOrEqual(t);
    expect(2 * 100).toBeLessThan(t);
  });
});

describe('networkOf', () => {
  it('masks IPv4 to /24 and IPv6 to /64 by default', () => {
    expect(networkOf('203.0.113.77', 24, 64)).toBe('203.0.113.0/24');
    expect(networkOf('10.1.2.3', 16, 64)).toBe('10.1.0.0/16');
    expect(networkOf('2001:db8:1:2:3:4:5:6', 24, 64)).toBe('2001:db8:1:2::/64');
    expect(networkOf('2001:db8::1', 24, 64)).toBe('2001:db8::/64');
    expect(networkOf('::1', 24, 128)).toBe('0:0:0:0:0:0:0:1/128');
    expect(networkOf('::ffff:192.0.2.1', 24, 96)).toBe('0:0:0:0:0:ffff::/96');
    expect(networkOf('not an ip', 24, 64)).toBeUndefined();
  });
});
