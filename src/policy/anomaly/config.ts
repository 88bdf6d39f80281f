import { z } from 'zod';

const action = z
  .enum(['alert', 'suspend'])
  .default('alert')
  .describe(
    'alert: raise an alert (webhook, log, console). suspend: also suspend the key (a key kill switch, audited; DELETE /admin/killswitch/key/<id> releases it).',
  );

function spikeSchema(what: string, floor: number, floorUnit: string) {
  return z
    .object({
      enabled: z.boolean().default(true),
      action,
      zScore: z
        .number()
        .positive()
        .default(4)
        .describe(
          `How many standard deviations above the key's EWMA baseline the ${what} of one bucket must be.`,
        ),
      minRatio: z
        .number()
        .min(1)
        .default(3)
        .describe(
          `And at least this many times the baseline (steady traffic has a tiny deviation).`,
        ),
      floor: z
        .number()
        .nonnegative()
        .default(floor)
        .describe(
          `And at least this much in the bucket (${floorUnit}): small numbers never alert.`,
        ),
      minSamples: z
        .number()
        .int()
        .min(1)
        .default(10)
        .describe('Buckets with traffic the baseline needs before this can alert (learning).'),
    })
    .strict()
    .prefault({});
}

export const anomaliesSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        'Track per-key and per-environment traffic on the request path and raise anomaly alerts.',
      ),
    perEnvironment: z
      .boolean()
      .default(false)
      .describe(
        "Also track each environment's total spend and requests against its own baseline (alerts only). Off by default: when one key drives the spike its own alert already says so.",
      ),
    bucketSec: z
      .number()
      .int()
      .min(10)
      .max(86_400)
      .default(60)
      .describe('Width of the time buckets spend, requests and refusals are summed in.'),
    alpha: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.1)
      .describe(
        'EWMA weight of the newest bucket in the baseline (0.1: about the last 10 buckets).',
      ),
    flushIntervalMs: z
      .number()
      .int()
      .min(100)
      .max(60_000)
      .default(2_000)
      .describe(
        'How often counts are merged into the store, where every replica adds to one baseline and reads the others back.',
      ),
    cooldownSec: z
      .number()
      .int()
      .min(1)
      .default(3_600)
      .describe('At most one alert per kind and key (or address) in this period, on all replicas.'),
    maxSubjects: z
      .number()
      .int()
      .min(100)
      .default(100_000)
      .describe(
        'Most keys, environments and addresses tracked in memory; past it new ones are not tracked until idle ones are dropped.',
      ),
    spendSpike: spikeSchema('spend', 500_000, 'micro-dollars').describe(
      "Spend of one key (or environment) in a bucket far above its own baseline. An environment's spike alerts only.",
    ),
    requestSpike: spikeSchema('request count', 120, 'requests').describe(
      "Requests of one key (or environment) in a bucket far above its own baseline. An environment's spike alerts only.",
    ),
    guardRefusals: spikeSchema('count of guard refusals', 10, 'refusals').describe(
      'Requests of one key refused by an input or output guard, far above its own baseline.',
    ),
    newNetwork: z
      .object({
        enabled: z.boolean().default(true),
        action,
        ipv4PrefixBits: z.number().int().min(8).max(32).default(24),
        ipv6PrefixBits: z.number().int().min(16).max(128).default(64),
      })
      .strict()
      .prefault({})
      .describe(
        "A key used from a network (IPv4 /24, IPv6 /64 by default) it was never used from. The key's first network is learned, not alerted.",
      ),
    authProbing: z
      .object({
        enabled: z.boolean().default(true),
        action: z
          .enum(['alert'])
          .default('alert')
          .describe('Probing alerts only (no key to suspend).'),
        threshold: z
          .number()
          .int()
          .min(1)
          .default(20)
          .describe(
            '401 answers in one bucket from one address (IPv6: one /64), or with one revoked or expired key, that alert.',
          ),
      })
      .strict()
      .prefault({})
      .describe(
        'A burst of failed authentications (401) from one client address, or with one revoked or expired key (a leaked key still being tried).',
      ),
  })
  .strict()
  .prefault({})
  .describe('Anomaly detection (docs/anomalies.md).');

export type AnomaliesConfig = z.infer<typeof anomaliesSchema>;
export type SpikeConfig = AnomaliesConfig['spendSpike'];
