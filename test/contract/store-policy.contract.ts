/**
 * The policy half of the store contract (key scopes, kill switches, budget alerts, operator
 * events, spend from the audit log). `runStoreContract` runs it for every implementation.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type {
  BudgetAlert,
  KeyScopes,
  KillSwitch,
  Store,
  VirtualKeyRecord,
} from '../../src/store/types.js';
import { audit, key } from './store.contract.js';

export interface PolicyContractContext {
  store: Store;
  /** Another store on the same database, as a second replica would open it. */
  open(which: 'second' | 'unreachable'): Store;
}

const unavailable = { code: 'store_unavailable' };

export function describeStorePolicyContract(get: () => PolicyContractContext): void {
  describe('policy', () => {
    let store: Store;
    beforeEach(async () => {
      store = get().store;
      await store.migrate();
    });

    it('round-trips key scopes and updates them in place', async () => {
      const scopes: KeyScopes = {
        models: ['gpt-4o*', 'claude-haiku-4-5'],
        endpoints: ['chat_completions', 'models'],
        providers: ['openai'],
        ipRanges: ['10.0.0.0/8', '2001:db8::/32'],
        maxTokens: 256,
        maxTokensMode: 'refuse',
        maxRequestCostMicroUsd: 50_000,
        team: 'search',
        tier: 'pro',
        limits: { rpm: 60, concurrency: 2, monthlyBudgetMicroUsd: 5_000_000 },
      };
      const k = key(1, { scopes });
      await store.insertKey(k);
      expect(await store.findKeyByHash(k.hash)).toStrictEqual(k);
      expect(await store.updateKeyScopes('key_1', { models: ['*'] })).toBe(true);
      expect((await store.findKey('key_1'))?.scopes).toStrictEqual({ models: ['*'] });
      expect(await store.updateKeyScopes('key_404', {})).toBe(false);
    });

    it('refuses scopes that do not match the schema', async () => {
      const bad = key(1, { scopes: { maxTokens: -1 } });
      await expect(store.insertKey(bad)).rejects.toMatchObject(unavailable);
      await store.insertKey(key(2));
      const wrong = { models: 'gpt-4o' } as unknown as KeyScopes;
      await expect(store.updateKeyScopes('key_2', wrong)).rejects.toMatchObject(unavailable);
      expect((await store.findKey('key_2'))?.scopes).toStrictEqual({});
    });

    it('engages, re-engages and clears kill switches, seen by another replica', async () => {
      const second = get().open('second');
      await second.migrate();
      const global: KillSwitch = {
        scope: 'global',
        target: '*',
        reason: 'incident 42',
        createdAtMs: 1,
        actor: 'admin',
      };
      const provider: KillSwitch = {
        scope: 'provider',
        target: 'openai',
        reason: 'leak',
        createdAtMs: 2,
        actor: 'ops',
      };
      await store.setKillSwitch(global);
      await store.setKillSwitch(provider);
      await store.setKillSwitch({ ...provider, reason: 'still leaking', createdAtMs: 3 });
      expect(await second.listKillSwitches()).toStrictEqual([
        global,
        { ...provider, reason: 'still leaking', createdAtMs: 3 },
      ]);
      expect(await second.clearKillSwitch('global', '*')).toBe(true);
      expect(await store.clearKillSwitch('global', '*')).toBe(false);
      expect((await store.listKillSwitches()).map((k) => k.scope)).toStrictEqual(['provider']);
    });

    it('records an alert once per budget, window and threshold, even from two replicas', async () => {
      const second = get().open('second');
      await second.migrate();
      const alert: BudgetAlert = {
        budget: 'key:key_1:monthly',
        window: 'm202606',
        thresholdPct: 50,
        spentMicroUsd: 2_500_000,
        limitMicroUsd: 5_000_000,
        atMs: 10,
      };
      const results = await Promise.all([
        store.recordAlert(alert),
        second.recordAlert({ ...alert, atMs: 11 }),
        store.recordAlert(alert),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.recordAlert({ ...alert, thresholdPct: 80, atMs: 12 })).toBe(true);
      expect(await store.recordAlert({ ...alert, window: 'm202607', atMs: 13 })).toBe(true);
      const listed = await second.listAlerts({});
      expect(listed.map((a) => [a.window, a.thresholdPct])).toStrictEqual([
        ['m202607', 50],
        ['m202606', 80],
        ['m202606', 50],
      ]);
      expect(await store.listAlerts({ sinceMs: 12, limit: 1 })).toHaveLength(1);
    });

    it('appends operator events and lists them newest first', async () => {
      await store.appendAdminEvent({
        timeMs: 1,
        actor: 'admin',
        action: 'kill_switch_set',
        target: 'global:*',
        detail: 'incident',
      });
      await store.appendAdminEvent({
        timeMs: 2,
        actor: 'admin',
        action: 'key_scopes_updated',
        target: 'key_1',
        detail: null,
      });
      const events = await store.listAdminEvents({});
      expect(events.map((e) => e.action)).toStrictEqual(['key_scopes_updated', 'kill_switch_set']);
      expect(events[1]).toStrictEqual({
        timeMs: 1,
        actor: 'admin',
        action: 'kill_switch_set',
        target: 'global:*',
        detail: 'incident',
      });
      expect(await store.listAdminEvents({ sinceMs: 2 })).toHaveLength(1);
    });

    it('sums settled spend since a time per key, user, team and environment', async () => {
      const t = audit(0).timeMs;
      await store.appendAudit([
        audit(1, { keyId: 'key_a', costMicroUsd: 100 }),
        audit(2, { keyId: 'key_a', costMicroUsd: 250 }),
        audit(3, { keyId: 'key_a', costMicroUsd: 5, userId: 'u1', team: 'red' }),
        audit(4, { keyId: null, keyPrefix: null, costMicroUsd: 7, userId: 'u2', env: 'dev' }),
        audit(5, { keyId: 'key_b', costMicroUsd: null }),
        audit(6, { keyId: 'key_b', costMicroUsd: 1_000_000_000_000 }),
      ]);
      const rows = await store.sumSpend(t + 2);
      const byKey = (k: string | null, u: string | null) =>
        rows.find((r) => r.keyId === k && r.userId === u)?.costMicroUsd;
      expect(rows).toHaveLength(4);
      expect(byKey('key_a', null)).toBe(250);
      expect(byKey('key_a', 'u1')).toBe(5);
      expect(rows.find((r) => r.userId === 'u2')).toStrictEqual({
        keyId: null,
        userId: 'u2',
        team: null,
        env: 'dev',
        costMicroUsd: 7,
      });
      expect(byKey('key_b', null)).toBe(1_000_000_000_000);
      expect(await store.sumSpend(t + 100)).toStrictEqual([]);
    });

    it('round-trips cost, user and team on audit rows', async () => {
      const r = audit(1, { costMicroUsd: 0, userId: 'jwt-user', team: 'blue' });
      const none = audit(2, { costMicroUsd: null, userId: null, team: null });
      await store.appendAudit([r, none]);
      expect(await store.queryAudit({})).toStrictEqual([none, r]);
    });

    it('refuses every policy call when the database cannot be reached', async () => {
      const down = get().open('unreachable');
      const k: VirtualKeyRecord = key(1);
      await expect(down.updateKeyScopes(k.id, {})).rejects.toMatchObject(unavailable);
      await expect(down.listKillSwitches()).rejects.toMatchObject(unavailable);
      await expect(
        down.setKillSwitch({ scope: 'key', target: 'k', reason: 'r', createdAtMs: 1, actor: 'a' }),
      ).rejects.toMatchObject(unavailable);
      await expect(down.clearKillSwitch('key', 'k')).rejects.toMatchObject(unavailable);
      await expect(down.listAlerts({})).rejects.toMatchObject(unavailable);
      await expect(down.listAdminEvents({})).rejects.toMatchObject(unavailable);
      await expect(down.sumSpend(0)).rejects.toMatchObject(unavailable);
    });
  });
}
