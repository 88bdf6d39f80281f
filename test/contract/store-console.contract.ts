/**
 * The console half of the store contract: alert acknowledgements, console sessions, and the
 * overview summed by the store. `runStoreContract` runs it for every implementation.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { buildAuditSummary, OVERVIEW_LIMITS } from '../../src/server/admin/audit-summary.js';
import type { AuditRecord, ConsoleSessionRecord, Store } from '../../src/store/types.js';
import { audit } from './store.contract.js';

export interface ConsoleContractContext {
  store: Store;
  /** Another store on the same database, as a second replica would open it. */
  openSecond(): Store;
}

const T0 = 1_700_000_000_000;

function session(n: number, over: Partial<ConsoleSessionRecord> = {}): ConsoleSessionRecord {
  return {
    tokenHash: n.toString(16).padStart(64, '0'),
    role: 'admin',
    label: 'ops',
    createdAtMs: T0,
    lastSeenMs: T0 + n,
    expiresAtMs: T0 + 60_000 + n,
    ...over,
  };
}

async function overviewOf(store: Store, sinceMs: number, untilMs: number, bucketMs: number) {
  const span = { sinceMs, untilMs, bucketMs };
  return buildAuditSummary(await store.summarizeAudit({ ...span, ...OVERVIEW_LIMITS }), span);
}

export function describeStoreConsoleContract(get: () => ConsoleContractContext): void {
  describe('console', () => {
    let store: Store;
    beforeEach(async () => {
      store = get().store;
      await store.migrate();
    });

    it('acknowledges an alert once, by kind and id, seen by another replica', async () => {
      const second = get().openSecond();
      await second.migrate();
      const ack = {
        kind: 'budget',
        alertId: 'team:search:daily/d20250601/80',
        actor: 'ops',
        atMs: 5,
      };
      expect(await store.acknowledgeAlert(ack)).toBe(true);
      expect(await second.acknowledgeAlert({ ...ack, actor: 'late', atMs: 9 })).toBe(false);
      expect(await second.acknowledgeAlert({ ...ack, kind: 'anomaly' })).toBe(true);
      const ids = [ack.alertId, 'team:ads:daily/d20250601/80'];
      expect(await second.listAlertAcks('budget', ids)).toStrictEqual([ack]);
      expect(await store.listAlertAcks('anomaly', ids)).toStrictEqual([
        { ...ack, kind: 'anomaly' },
      ]);
      expect(await store.listAlertAcks('budget', [])).toStrictEqual([]);
      expect(await store.listAlertAcks('budget', ["x' OR '1'='1"])).toStrictEqual([]);
      const alert = { budget: 'team:search:daily', window: 'd20250601', thresholdPct: 80 };
      expect(await store.hasBudgetAlert(alert)).toBe(false);
      await store.recordAlert({ ...alert, spentMicroUsd: 80, limitMicroUsd: 100, atMs: 1 });
      expect(await second.hasBudgetAlert(alert)).toBe(true);
      expect(await second.hasBudgetAlert({ ...alert, thresholdPct: 50 })).toBe(false);
    });

    it('keeps sessions by hash: found, touched and deleted on any replica', async () => {
      const second = get().openSecond();
      await second.migrate();
      await store.insertConsoleSession(session(1, { role: 'viewer', label: 'auditor' }));
      expect(await second.findConsoleSession(session(1).tokenHash)).toStrictEqual(
        session(1, { role: 'viewer', label: 'auditor' }),
      );
      expect(await second.touchConsoleSession(session(1).tokenHash, T0 + 50, T0 + 90_000)).toBe(
        true,
      );
      expect(await store.findConsoleSession(session(1).tokenHash)).toMatchObject({
        lastSeenMs: T0 + 50,
        expiresAtMs: T0 + 90_000,
      });
      expect(await second.deleteConsoleSession(session(1).tokenHash)).toBe(true);
      expect(await store.findConsoleSession(session(1).tokenHash)).toBeUndefined();
      expect(await store.touchConsoleSession(session(1).tokenHash, T0, T0)).toBe(false);
      expect(await store.deleteConsoleSession(session(1).tokenHash)).toBe(false);
    });

    it('purges expired sessions and all but the most recently used', async () => {
      for (const n of [1, 2, 3, 4, 5]) await store.insertConsoleSession(session(n));
      await store.insertConsoleSession(session(9, { expiresAtMs: T0 + 10 }));
      await store.purgeConsoleSessions(T0 + 10, 3);
      const left = [];
      for (const n of [1, 2, 3, 4, 5, 9])
        left.push((await store.findConsoleSession(session(n).tokenHash)) !== undefined);
      expect(left).toEqual([false, false, true, true, true, false]);
    });

    it('sums the overview: buckets, top lists, refusals and guard decisions', async () => {
      const guarded = {
        status: 429,
        errorCode: 'rate_limit_exceeded',
        promptTokens: null,
        completionTokens: null,
        costMicroUsd: null,
        latencyMs: 1,
        decisions: [
          { stage: 'guard_pii', action: 'redact', type: 'email', count: 2 },
          { stage: 'guard_injection', action: 'allow' },
          { stage: 'rate_limit', action: 'block', type: 'rpm' },
          { stage: 'guard_injection', action: 'flag', score: 0.9 },
        ],
      };
      await store.appendAudit([
        audit(-1),
        audit(0, { latencyMs: 10, userId: 'u1', team: 'search' }),
        audit(59_999, { latencyMs: 30 }),
        audit(60_000, {
          keyPrefix: 'bk_prod_b',
          keyId: 'key_b',
          model: 'claude',
          costMicroUsd: 500,
        }),
        audit(130_000, { requestId: 'guarded', ...guarded }),
        audit(140_000, {
          keyPrefix: null,
          keyId: null,
          model: null,
          status: 401,
          errorCode: 'invalid_api_key',
          costMicroUsd: null,
        }),
        audit(180_000),
      ]);
      const s = await overviewOf(store, T0, T0 + 180_000, 60_000);
      expect(s.series.map((b) => [b.requests, b.errors, b.costMicroUsd])).toEqual([
        [2, 0, 2_468],
        [1, 0, 500],
        [2, 2, 0],
      ]);
      expect(s.totals).toMatchObject({
        requests: 5,
        errors: 2,
        errorRatePct: 40,
        latencyP50Ms: 30,
        latencyP99Ms: 250,
        promptTokens: 48,
        completionTokens: 136,
        costMicroUsd: 2_968,
      });
      expect(s.top.keys.map((k) => [k.name, k.requests, k.costMicroUsd])).toEqual([
        ['bk_prod_00000001', 3, 2_468],
        ['bk_prod_b', 1, 500],
      ]);
      expect(s.top.models.map((m) => [m.name, m.requests])).toEqual([
        ['gpt-4o-mini', 3],
        ['claude', 1],
      ]);
      expect(s.top.users.map((u) => u.name)).toEqual(['u1']);
      expect(s.top.teams.map((t) => t.name)).toEqual(['search']);
      expect(s.refusals).toEqual([
        { code: 'invalid_api_key', status: 401, requests: 1 },
        { code: 'rate_limit_exceeded', status: 429, requests: 1 },
      ]);
      expect(s.guard.byCategory).toEqual([
        { stage: 'guard_injection', action: 'flag', type: null, requests: 1 },
        { stage: 'guard_pii', action: 'redact', type: 'email', requests: 1 },
      ]);
      expect(s.guard.recent).toEqual([
        {
          requestId: 'guarded',
          timeMs: T0 + 130_000,
          stage: 'guard_pii',
          action: 'redact',
          type: 'email',
        },
        {
          requestId: 'guarded',
          timeMs: T0 + 130_000,
          stage: 'guard_injection',
          action: 'flag',
          type: null,
        },
      ]);
    });

    it('counts every row of a range holding more than 10,000, exactly', async () => {
      const rows: AuditRecord[] = [audit(-5), audit(120_000)];
      for (let i = 0; i < 12_000; i++) {
        const isRefused = i % 10 === 0;
        const key = i < 7_000 ? 'a' : i < 11_000 ? 'b' : 'c';
        rows.push(
          audit(i * 10, {
            requestId: `big_${i}`,
            keyId: `key_${key}`,
            keyPrefix: `bk_prod_${key}`,
            latencyMs: (i % 100) + 0.5,
            status: isRefused ? 429 : 200,
            errorCode: isRefused ? 'rate_limit_exceeded' : null,
            costMicroUsd: isRefused ? null : 100,
            decisions:
              i % 1_000 === 0
                ? [{ stage: 'guard_secrets', action: 'block', type: 'openai_key' }]
                : [],
          }),
        );
      }
      await store.appendAudit(rows);
      const s = await overviewOf(store, T0, T0 + 120_000, 60_000);
      expect(s.series.map((b) => [b.requests, b.errors])).toEqual([
        [6_000, 600],
        [6_000, 600],
      ]);
      expect(s.totals).toMatchObject({
        requests: 12_000,
        errors: 1_200,
        errorRatePct: 10,
        // 120 requests at each of 0.5 ... 99.5 ms: nearest ranks 6,000 and 11,880.
        latencyP50Ms: 49.5,
        latencyP99Ms: 98.5,
        promptTokens: 12 * 12_000,
        costMicroUsd: 100 * 10_800,
      });
      expect(s.top.keys.map((k) => [k.name, k.requests])).toEqual([
        ['bk_prod_a', 7_000],
        ['bk_prod_b', 4_000],
        ['bk_prod_c', 1_000],
      ]);
      expect(s.refusals).toEqual([{ code: 'rate_limit_exceeded', status: 429, requests: 1_200 }]);
      expect(s.guard.byCategory).toEqual([
        { stage: 'guard_secrets', action: 'block', type: 'openai_key', requests: 12 },
      ]);
      expect(s.guard.recent.map((r) => r.requestId)).toEqual(
        Array.from({ length: 12 }, (_, i) => `big_${(11 - i) * 1_000}`),
      );
    });
  });
}
