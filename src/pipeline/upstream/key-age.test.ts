import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../log/logger.js';
import { Secret } from '../../log/secret.js';
import { createCircuitRegistry } from './circuit.js';
import { keyAgeWarning, startKeyAgeMonitor } from './key-age.js';
import { KeyPool, PoolKey, type KeyState } from './key-pool.js';
import type { ProviderRuntime } from './providers.js';

const DAY_MS = 86_400_000;
const NOW = 1_800_000_000_000;

describe('key age', () => {
  it('warns at 60 days and escalates at 90', () => {
    expect([null, 59, 60, 89, 90, 400].map(keyAgeWarning)).toEqual([
      null,
      null,
      'over_60_days',
      'over_60_days',
      'over_90_days',
      'over_90_days',
    ]);
  });

  it('logs keys in use past 60 (warn) and 90 days (error), at start; revoked keys are skipped', () => {
    const lines: { level: string; key: string; thresholdDays: number }[] = [];
    const log = createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk: Buffer, _e, done) {
          lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
          done();
        },
      }),
    });
    const clock = { now: () => NOW, monotonicMs: () => 0 };
    const circuits = createCircuitRegistry(
      { clock, log, sync: undefined },
      {
        enabled: true,
        failureThreshold: 5,
        errorRatePct: 50,
        minRequests: 20,
        windowMs: 1,
        openMs: 1,
        halfOpenProbes: 1,
      },
    );
    const pool = new KeyPool('openai');
    const add = (label: string, ageDays: number | null, state: KeyState = 'active') =>
      pool.add(
        new PoolKey(
          'openai',
          {
            label,
            secret: new Secret('x'),
            ref: undefined,
            weight: 1,
            state,
            createdAtMs: ageDays === null ? null : NOW - ageDays * DAY_MS,
            source: 'config',
          },
          circuits.circuit(label),
          NOW,
        ),
      );
    add('fresh', 10);
    add('unknown', null);
    add('aging', 61);
    add('stale', 120);
    add('gone', 400, 'revoked');
    const providers = new Map([['openai', { id: 'openai', pool } as unknown as ProviderRuntime]]);
    const stop = startKeyAgeMonitor({ providers, clock, log }, { intervalMs: 60_000 });
    stop();
    expect(lines.map((l) => [l.level, l.key, l.thresholdDays])).toEqual([
      ['warn', 'aging', 60],
      ['error', 'stale', 90],
    ]);
  });
});
