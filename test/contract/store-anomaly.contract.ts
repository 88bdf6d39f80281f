/**
 * The anomaly half of the store contract (migration 8): counters merged from several replicas
 * with the EWMA fold done in the database, the shared set of networks each key was used from,
 * and alerts raised once. `runStoreContract` runs it for every implementation.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { EMPTY_BASELINE, foldEwma } from '../../src/policy/anomaly/ewma.js';
import type { AnomalyAlert, AnomalyDelta, Store } from '../../src/store/types.js';

export interface AnomalyContractContext {
  store: Store;
  /** Another store on the same database, as a second replica would open it. */
  openSecond(): Store;
  openUnreachable(): Store;
}

const MIN = 60_000;
const delta = (bucket: number, amount: number, subject = 'key_a'): AnomalyDelta => ({
  subject,
  metric: 'spend',
  bucketMs: bucket * MIN,
  amount,
});

function alert(over: Partial<AnomalyAlert> = {}): AnomalyAlert {
  return {
    kind: 'spend_spike',
    subject: 'key_a',
    window: 'w1',
    atMs: 1_000,
    keyId: 'key_a',
    keyPrefix: 'bk_prod_Ab3dE9xZ',
    env: 'prod',
    action: 'suspend',
    observed: 200.5,
    baseline: 10.25,
    threshold: 50,
    network: null,
    ...over,
  };
}

export function describeStoreAnomalyContract(get: () => AnomalyContractContext): void {
  describe('anomalies', () => {
    let store: Store;
    beforeEach(async () => {
      store = get().store;
      await store.migrate();
    });

    it('adds every replica into one bucket and folds finished buckets into the EWMA', async () => {
      const second = get().openSecond();
      const totals = [10, 30, 20, 25];
      let expected = EMPTY_BASELINE;
      for (const [b, total] of totals.entries()) {
        await store.addAnomalyCounts([delta(b, total / 2)], 0.2, b * MIN);
        const [row] = await second.addAnomalyCounts([delta(b, total / 2)], 0.2, b * MIN);
        expect(row).toMatchObject({ subject: 'key_a', metric: 'spend', bucketMs: b * MIN });
        expect(row?.bucketValue).toBeCloseTo(total);
        expect(row?.samples).toBe(expected.samples);
        expect(row?.mean).toBeCloseTo(expected.mean);
        expect(row?.variance).toBeCloseTo(expected.variance);
        expected = foldEwma(expected, total, 0.2);
      }
    });

    it('drops a delta for a bucket older than the stored one, and orders a batch by bucket', async () => {
      await store.addAnomalyCounts([delta(5, 7)], 0.1, 0);
      const [late] = await store.addAnomalyCounts([delta(4, 100)], 0.1, 0);
      expect(late).toMatchObject({ bucketMs: 5 * MIN, bucketValue: 7, samples: 0 });
      const rows = await store.addAnomalyCounts(
        [delta(7, 3), delta(6, 4), delta(7, 1, 'key_b')],
        0.1,
        0,
      );
      const a = rows.filter((r) => r.subject === 'key_a').at(-1);
      expect(a).toMatchObject({ bucketMs: 7 * MIN, bucketValue: 3, samples: 2 });
      expect(rows.find((r) => r.subject === 'key_b')).toMatchObject({ bucketValue: 1 });
    });

    it('prunes counters not updated since a time', async () => {
      await store.addAnomalyCounts([delta(1, 1)], 0.1, 1_000);
      await store.addAnomalyCounts([delta(1, 1, 'key_b')], 0.1, 5_000);
      expect(await store.pruneAnomalyCounters(2_000)).toBe(1);
      const [b] = await store.addAnomalyCounts([delta(1, 1, 'key_b')], 0.1, 6_000);
      expect(b?.bucketValue).toBe(2);
      const [a] = await store.addAnomalyCounts([delta(1, 1)], 0.1, 6_000);
      expect(a?.bucketValue).toBe(1);
    });

    it('knows each network a key was used from, on every replica', async () => {
      const second = get().openSecond();
      expect(await store.addSeenNetwork('key_a', '198.51.100.0/24', 1)).toEqual({
        isNew: true,
        known: 0,
      });
      expect(await second.addSeenNetwork('key_a', '198.51.100.0/24', 2)).toEqual({
        isNew: false,
        known: 1,
      });
      expect(await second.addSeenNetwork('key_a', '2001:db8:1:2::/64', 3)).toEqual({
        isNew: true,
        known: 1,
      });
      expect(await store.addSeenNetwork('key_b', '198.51.100.0/24', 4)).toEqual({
        isNew: true,
        known: 0,
      });
    });

    it('records an alert once per kind, subject and window, and lists them newest first', async () => {
      const second = get().openSecond();
      expect(await store.recordAnomalyAlert(alert())).toBe(true);
      expect(await second.recordAnomalyAlert(alert({ atMs: 2_000 }))).toBe(false);
      expect(await second.recordAnomalyAlert(alert({ window: 'w2', atMs: 3_000 }))).toBe(true);
      const probing = alert({
        kind: 'auth_probing',
        subject: 'ip:192.0.2.50',
        keyId: null,
        keyPrefix: null,
        env: null,
        action: 'alert',
        atMs: 4_000,
      });
      expect(await store.recordAnomalyAlert(probing)).toBe(true);
      const listed = await second.listAnomalyAlerts({});
      expect(listed).toStrictEqual([probing, alert({ window: 'w2', atMs: 3_000 }), alert()]);
      expect(await store.listAnomalyAlerts({ sinceMs: 3_000, limit: 1 })).toStrictEqual([probing]);
    });

    it('fails closed when the database cannot be reached', async () => {
      const down = get().openUnreachable();
      const unavailable = { code: 'store_unavailable' };
      await expect(down.addAnomalyCounts([delta(1, 1)], 0.1, 0)).rejects.toMatchObject(unavailable);
      await expect(down.addSeenNetwork('key_a', 'n', 0)).rejects.toMatchObject(unavailable);
      await expect(down.recordAnomalyAlert(alert())).rejects.toMatchObject(unavailable);
      await expect(down.listAnomalyAlerts({})).rejects.toMatchObject(unavailable);
    });
  });
}
