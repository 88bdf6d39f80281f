import type { SpikeConfig } from './config.js';

/** An EWMA baseline of per-bucket totals. */
export interface Baseline {
  readonly mean: number;
  readonly variance: number;
  /** Buckets folded in. */
  readonly samples: number;
}

export const EMPTY_BASELINE: Baseline = { mean: 0, variance: 0, samples: 0 };

/**
 * Folds one bucket's total into the baseline: the first seeds the mean, later ones move it by
 * `alpha` (West's incremental EWMA variance). The store's upsert does the same arithmetic in SQL
 * (src/store/anomaly-rows.ts), so a replica's local fold matches what the store will hold.
 */
export function foldEwma(b: Baseline, x: number, alpha: number): Baseline {
  if (b.samples === 0) return { mean: x, variance: 0, samples: 1 };
  const d = x - b.mean;
  return {
    mean: b.mean + alpha * d,
    variance: (1 - alpha) * (b.variance + alpha * d * d),
    samples: b.samples + 1,
  };
}

/**
 * The bucket total at which a spike is raised: `zScore` deviations above the mean, at least
 * `minRatio` times the mean, and at least the floor. Infinity while the baseline is learning.
 */
export function spikeThreshold(b: Baseline, cfg: SpikeConfig): number {
  if (b.samples < cfg.minSamples) return Number.POSITIVE_INFINITY;
  const sd = Math.sqrt(Math.max(0, b.variance));
  return Math.max(cfg.floor, b.mean * cfg.minRatio, b.mean + cfg.zScore * sd);
}
