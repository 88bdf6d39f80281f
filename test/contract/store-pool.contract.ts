/**
 * The provider-key pool half of the store contract (migration 7): key lifecycle rows with a
 * store-wide version, writes conditional on a provider's version, and replica reports.
 * `runStoreContract` runs it for every implementation.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ProviderKeyRow, Store } from '../../src/store/types.js';
import type { PolicyContractContext } from './store-policy.contract.js';

const unavailable = { code: 'store_unavailable' };

function row(
  label: string,
  over: Partial<Omit<ProviderKeyRow, 'version'>> = {},
): Omit<ProviderKeyRow, 'version'> {
  return {
    provider: 'openai',
    label,
    ref: `env:KEY_${label.toUpperCase()}`,
    source: 'admin',
    state: 'active',
    weight: 1,
    createdAtMs: 1_700_000_000_000,
    updatedAtMs: 1_700_000_000_500,
    actor: 'ops',
    ...over,
  };
}

export function describeStorePoolContract(get: () => PolicyContractContext): void {
  describe('provider-key pools', () => {
    let store: Store;
    beforeEach(async () => {
      store = get().store;
      await store.migrate();
    });

    it('stores key lifecycles under a growing version that another replica reads', async () => {
      expect(await store.providerKeysVersion()).toBe(0);
      expect(await store.listProviderKeys()).toStrictEqual([]);
      const added = await store.putProviderKey(row('next', { weight: 0 }), 0);
      expect(added).toStrictEqual({ ...row('next', { weight: 0 }), version: 1 });
      const old = await store.putProviderKey(
        row('old', { source: 'config', ref: null, createdAtMs: null }),
        1,
      );
      expect(old?.version).toBe(2);
      const drained = await store.putProviderKey(
        row('old', { source: 'config', ref: null, createdAtMs: null, state: 'draining' }),
        2,
      );
      expect(drained?.version).toBe(3);

      const second = get().open('second');
      await second.migrate();
      expect(await second.providerKeysVersion()).toBe(3);
      expect(await second.listProviderKeys()).toStrictEqual([
        { ...row('next', { weight: 0 }), version: 1 },
        {
          ...row('old', { source: 'config', ref: null, createdAtMs: null, state: 'draining' }),
          version: 3,
        },
      ]);
    });

    it('writes nothing when the provider changed since the version the writer read', async () => {
      await store.putProviderKey(row('a'), 0);
      const second = get().open('second');
      await second.migrate();
      expect(await second.putProviderKey(row('a', { weight: 5 }), 1)).toMatchObject({
        version: 2,
      });
      // Written on version 1 of openai, which moved on: refused, nothing changes.
      expect(await store.putProviderKey(row('a', { state: 'revoked' }), 1)).toBeUndefined();
      expect(await store.putProviderKey(row('b'), 0)).toBeUndefined();
      expect((await store.listProviderKeys()).map((r) => [r.label, r.state, r.weight])).toEqual([
        ['a', 'active', 5],
      ]);
      // Another provider's version is its own: 0 until its first row.
      expect(await store.putProviderKey(row('x', { provider: 'anthropic' }), 0)).toMatchObject({
        version: 3,
      });
    });

    it('lets exactly one of many concurrent writers on one version win, versions unique', async () => {
      const second = get().open('second');
      await second.migrate();
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 === 0 ? store : second).putProviderKey(row(`k${i}`), 0),
        ),
      );
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      // Different providers do not conflict; each write takes its own version.
      const spread = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 === 0 ? store : second).putProviderKey(row('k', { provider: `p${i}` }), 0),
        ),
      );
      const versions = spread.map((r) => r?.version);
      expect(new Set(versions).size).toBe(8);
      expect(Math.max(...(versions as number[]))).toBe(await store.providerKeysVersion());
    });

    it('keeps one report per replica, lists the recent ones and drops day-old ones', async () => {
      await store.reportPoolReplica({
        replicaId: 'r-old',
        appliedVersion: 1,
        busy: {},
        seenAtMs: 1_000,
      });
      await store.reportPoolReplica({
        replicaId: 'r-a',
        appliedVersion: 2,
        busy: { 'openai/old': 3 },
        seenAtMs: 5_000,
      });
      await store.reportPoolReplica({
        replicaId: 'r-a',
        appliedVersion: 4,
        busy: { 'openai/old': 1, 'openai/zero': 0 },
        seenAtMs: 6_000,
      });
      expect(await store.listPoolReplicas(2_000)).toStrictEqual([
        { replicaId: 'r-a', appliedVersion: 4, busy: { 'openai/old': 1 }, seenAtMs: 6_000 },
      ]);
      expect((await store.listPoolReplicas(0)).map((r) => r.replicaId)).toEqual(['r-a', 'r-old']);
      await store.reportPoolReplica({
        replicaId: 'r-b',
        appliedVersion: 4,
        busy: {},
        seenAtMs: 1_000 + 86_400_001,
      });
      expect((await store.listPoolReplicas(0)).map((r) => r.replicaId)).toEqual(['r-a', 'r-b']);
    });

    it('refuses every pool call when the database cannot be reached', async () => {
      const down = get().open('unreachable');
      await expect(down.providerKeysVersion()).rejects.toMatchObject(unavailable);
      await expect(down.listProviderKeys()).rejects.toMatchObject(unavailable);
      await expect(down.putProviderKey(row('a'), 0)).rejects.toMatchObject(unavailable);
      await expect(
        down.reportPoolReplica({ replicaId: 'r', appliedVersion: 0, busy: {}, seenAtMs: 1 }),
      ).rejects.toMatchObject(unavailable);
      await expect(down.listPoolReplicas(0)).rejects.toMatchObject(unavailable);
    });
  });
}
