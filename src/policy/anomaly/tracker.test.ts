import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/gateway-error.js';
import { createLogger } from '../../log/logger.js';
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { KillSwitch, Store } from '../../store/types.js';
import { anomaliesSchema } from './config.js';
import { createAnomalyTracker, type AnomalyTracker, type ObservedRequest } from './tracker.js';

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const MINUTE = 60_000;

function request(over: Partial<ObservedRequest> = {}): ObservedRequest {
  return {
    keyId: 'key_a',
    keyPrefix: 'bk_prod_Ab3dE9xZ',
    env: 'prod',
    status: 200,
    costMicroUsd: 10,
    clientIp: '198.51.100.7',
    decisions: [],
    ...over,
  };
}

const refused = request({
  status: 400,
  costMicroUsd: null,
  decisions: [{ stage: 'guard_injection', action: 'block', score: 0.97 }],
});

describe('anomaly tracker', () => {
  let store: Store;
  let nowMs: number;
  let suspended: KillSwitch[];
  let tracker: AnomalyTracker;

  function make(config: Record<string, unknown>) {
    tracker = createAnomalyTracker(
      {
        store,
        suspend: (e) => {
          suspended.push(e);
          return Promise.resolve();
        },
        webhook: undefined,
        clock: { now: () => nowMs, monotonicMs: () => nowMs },
        log: createLogger({ level: 'silent' }),
      },
      anomaliesSchema.parse(config),
    );
  }

  /** `buckets` minutes, each with `per` of the request, merged with the store each minute. */
  async function minutes(buckets: number, per: number, req: ObservedRequest) {
    for (let b = 0; b < buckets; b++) {
      for (let i = 0; i < per; i++) tracker.observe(req);
      await tracker.flush();
      nowMs += MINUTE;
    }
  }

  beforeEach(async () => {
    store = createSqliteStore({ path: ':memory:' });
    await store.migrate();
    nowMs = T0 + 1_000;
    suspended = [];
  });
  afterEach(async () => {
    await tracker.stop();
    await store.close();
  });

  it('suspends a key whose guard refusals jump far above its baseline, once per cooldown', async () => {
    make({ guardRefusals: { action: 'suspend', floor: 5, minSamples: 3 } });
    await minutes(4, 1, refused);
    for (let i = 0; i < 4; i++) tracker.observe(refused);
    await tracker.idle();
    expect(await store.listAnomalyAlerts({})).toEqual([]);
    for (let i = 0; i < 10; i++) tracker.observe(refused);
    await tracker.idle();
    const alerts = await store.listAnomalyAlerts({});
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'guard_refusals', observed: 5, threshold: 5 });
    expect(suspended).toEqual([
      expect.objectContaining({ scope: 'key', target: 'key_a', actor: 'anomaly-detector' }),
    ]);
    const events = await store.listAdminEvents({});
    expect(events).toEqual([
      expect.objectContaining({ action: 'kill_switch_set', target: 'key:key_a' }),
    ]);
  });

  it('learns before it alerts: no spike against fewer buckets than minSamples', async () => {
    make({ requestSpike: { floor: 1, minSamples: 5 } });
    await minutes(3, 1, request());
    for (let i = 0; i < 100; i++) tracker.observe(request());
    await tracker.idle();
    expect(await store.listAnomalyAlerts({})).toEqual([]);
  });

  it('raises a request spike and alerts only, as configured', async () => {
    make({ requestSpike: { floor: 10, minSamples: 3 } });
    await minutes(5, 2, request());
    for (let i = 0; i < 30; i++) tracker.observe(request());
    await tracker.idle();
    const alerts = await store.listAnomalyAlerts({});
    expect(alerts.map((a) => [a.kind, a.action, a.observed])).toEqual([
      ['request_spike', 'alert', 10],
    ]);
    expect(suspended).toEqual([]);
  });

  it('counts environments only with perEnvironment', async () => {
    make({ perEnvironment: true, spendSpike: { floor: 100, minSamples: 3 } });
    // Ten keys at 10 µ$ a minute each; then each doubles: no key spikes, the environment does.
    const keys = Array.from({ length: 10 }, (_, i) => request({ keyId: `key_${i}` }));
    for (let b = 0; b < 4; b++) {
      for (const r of keys) tracker.observe(r);
      await tracker.flush();
      nowMs += MINUTE;
    }
    for (const r of keys) tracker.observe({ ...r, costMicroUsd: 40 });
    await tracker.idle();
    const alerts = await store.listAnomalyAlerts({});
    expect(alerts.map((a) => [a.kind, a.subject, a.keyId, a.action])).toEqual([
      ['spend_spike', 'env:prod', null, 'alert'],
    ]);
  });

  it('keeps counts while the store is down, merges them after, and retries a lost alert', async () => {
    let isDown = true;
    const real = store;
    const down = () => Promise.reject(new GatewayError('store_unavailable'));
    store = {
      ...real,
      addAnomalyCounts: (d, a, t) => (isDown ? down() : real.addAnomalyCounts(d, a, t)),
      recordAnomalyAlert: (a) => (isDown ? down() : real.recordAnomalyAlert(a)),
      listAnomalyAlerts: (q) => real.listAnomalyAlerts(q),
    };
    make({ requestSpike: { floor: 3, minSamples: 1 } });
    store = real;
    isDown = false;
    await minutes(2, 1, request());
    isDown = true;
    for (let i = 0; i < 3; i++) tracker.observe(request());
    await tracker.flush();
    await tracker.idle();
    expect(await store.listAnomalyAlerts({})).toEqual([]);
    isDown = false;
    tracker.observe(request());
    await tracker.flush();
    await tracker.idle();
    const [row] = await store.addAnomalyCounts(
      [{ subject: 'key_a', metric: 'requests', bucketMs: nowMs - (nowMs % MINUTE), amount: 0 }],
      0.1,
      nowMs,
    );
    expect(row?.bucketValue).toBe(4);
    const alerts = await store.listAnomalyAlerts({});
    expect(alerts.map((a) => [a.kind, a.observed])).toEqual([['request_spike', 4]]);
  });

  it('counts a probing IPv6 network as one source, and stores nothing for one-off failures', async () => {
    make({ authProbing: { threshold: 20 } });
    const failed = (ip: string) =>
      request({ keyId: null, keyPrefix: null, env: null, status: 401, clientIp: ip });
    for (let i = 0; i < 500; i++) tracker.observe(failed(`192.0.2.${i % 250}`));
    for (let i = 0; i < 25; i++) tracker.observe(failed(`2001:db8:1:2::${(i + 1).toString(16)}`));
    await tracker.flush();
    await tracker.idle();
    const alerts = await store.listAnomalyAlerts({});
    expect(alerts.map((a) => [a.kind, a.subject, a.observed])).toEqual([
      ['auth_probing', 'ip:2001:db8:1:2::/64', 20],
    ]);
    // 250 addresses failed twice (stored), the /64 once; none of a single failure.
    expect(await store.pruneAnomalyCounters(Number.MAX_SAFE_INTEGER)).toBe(251);
    for (let i = 0; i < 100; i++) tracker.observe(failed(`198.51.100.${i}`));
    await tracker.flush();
    expect(await store.pruneAnomalyCounters(Number.MAX_SAFE_INTEGER)).toBe(0);
  });
});
