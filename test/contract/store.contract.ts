/**
 * The store contract: every `Store` implementation runs this suite from its own test file
 * (`store.sqlite.test.ts`, `store.postgres.test.ts`).
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditDecision, AuditRecord, Store, VirtualKeyRecord } from '../../src/store/types.js';
import { describeStoreAnomalyContract } from './store-anomaly.contract.js';
import { describeStoreChainContract } from './store-chain.contract.js';
import { describeStoreConsoleContract } from './store-console.contract.js';
import { describeStorePolicyContract } from './store-policy.contract.js';
import { describeStorePoolContract } from './store-pool.contract.js';

export interface StoreFixture {
  /** A store on a fresh, empty database: nothing migrated yet. */
  store: Store;
  /** Another store on the same database, as a second process would open it. */
  openSecond: () => Store;
  /** A store whose database cannot be reached. */
  openUnreachable: () => Store;
  /** Runs SQL on the database directly, behind the store's back (tampering tests). */
  exec: (sqlText: string) => Promise<void>;
  /** Closes `store` (possibly closed already) and removes the database. */
  cleanup: () => Promise<void>;
}

export function key(n: number, overrides: Partial<VirtualKeyRecord> = {}): VirtualKeyRecord {
  return {
    id: `key_${n}`,
    name: `key number ${n}`,
    env: 'prod',
    prefix: `bk_prod_${String(n).padStart(8, '0')}`,
    hash: createHash('sha256').update(`secret ${n}`).digest('hex'),
    createdAtMs: 1_700_000_000_000 + n,
    expiresAtMs: null,
    revokedAtMs: null,
    scopes: {},
    ...overrides,
  };
}

export function audit(n: number, overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    requestId: `req_${n}`,
    timeMs: 1_700_000_000_000 + n,
    keyId: 'key_1',
    keyPrefix: 'bk_prod_00000001',
    env: 'prod',
    endpoint: '/v1/chat/completions',
    model: 'gpt-4o-mini',
    provider: 'openai',
    upstreamKeyLabel: 'primary',
    status: 200,
    errorCode: null,
    promptTokens: 12,
    completionTokens: 34,
    latencyMs: 250,
    upstreamLatencyMs: 240,
    clientIp: '203.0.113.7',
    isStream: false,
    decisions: [],
    costMicroUsd: 1_234,
    userId: null,
    team: null,
    ...overrides,
  };
}

async function expectUnavailable(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code: 'store_unavailable' });
}

/** Every method of a store that cannot work must refuse with `store_unavailable`. */
async function expectAllUnavailable(store: Store): Promise<void> {
  await expectUnavailable(store.migrate());
  await expectUnavailable(store.ping());
  await expectUnavailable(store.insertKey(key(1)));
  await expectUnavailable(store.findKeyByHash(key(1).hash));
  await expectUnavailable(store.findKey('key_1'));
  await expectUnavailable(store.listKeys());
  await expectUnavailable(store.revokeKey('key_1', 1));
  await expectUnavailable(store.appendAudit([audit(1)]));
  await expectUnavailable(store.queryAudit({}));
  await expectUnavailable(store.findConsoleSession('0'.repeat(64)));
  await expectUnavailable(
    store.acknowledgeAlert({ kind: 'budget', alertId: 'a', actor: 'o', atMs: 1 }),
  );
  await expectUnavailable(
    store.summarizeAudit({ sinceMs: 0, untilMs: 1, bucketMs: 1, topN: 1, recentGuard: 1 }),
  );
}

export function runStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`store contract: ${name}`, () => {
    let fx: StoreFixture;
    let store: Store;
    const opened: Store[] = [];
    const open = (make: () => Store): Store => {
      const s = make();
      opened.push(s);
      return s;
    };

    beforeEach(async () => {
      fx = await makeStore();
      store = fx.store;
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
      await fx.cleanup();
    });

    describe('migrate', () => {
      it('applies every migration and is idempotent', async () => {
        await store.ping();
        await store.migrate();
        await store.migrate();
        await store.insertKey(key(1));
        await store.migrate();
        expect(await store.findKeyByHash(key(1).hash)).toStrictEqual(key(1));
      });

      it('is safe when two stores migrate the same database at once', async () => {
        const second = open(fx.openSecond);
        await Promise.all([store.migrate(), second.migrate(), store.migrate(), second.migrate()]);
        await store.insertKey(key(1));
        expect(await second.findKey('key_1')).toStrictEqual(key(1));
      });
    });

    describe('keys', () => {
      beforeEach(() => store.migrate());

      it('finds a key by hash, by id and by prefix', async () => {
        const k = key(1, { env: 'staging', name: 'ci runner' });
        await store.insertKey(k);
        await store.insertKey(key(2));
        expect(await store.findKeyByHash(k.hash)).toStrictEqual(k);
        expect(await store.findKey(k.id)).toStrictEqual(k);
        expect(await store.findKey(k.prefix)).toStrictEqual(k);
        expect(await store.findKeyByHash(key(3).hash)).toBeUndefined();
        expect(await store.findKey('key_3')).toBeUndefined();
        expect(await store.findKey(key(3).prefix)).toBeUndefined();
      });

      it('answers lookups made together each with its own key, and a revocation at once', async () => {
        await store.insertKey(key(1));
        await store.insertKey(key(2));
        const together = () =>
          Promise.all([1, 2, 3, 1].map((n) => store.findKeyByHash(key(n).hash)));
        expect(await together()).toStrictEqual([key(1), key(2), undefined, key(1)]);
        await store.revokeKey('key_2', 11);
        const [, revoked] = await together();
        expect(revoked?.revokedAtMs).toBe(11);
      });

      it('lists every key, oldest first', async () => {
        expect(await store.listKeys()).toStrictEqual([]);
        await store.insertKey(key(3));
        await store.insertKey(key(1));
        await store.insertKey(key(2, { env: 'dev' }));
        expect(await store.listKeys()).toStrictEqual([key(1), key(2, { env: 'dev' }), key(3)]);
      });

      it('refuses a second key with the same hash', async () => {
        await store.insertKey(key(1));
        await expectUnavailable(store.insertKey(key(2, { hash: key(1).hash })));
        expect(await store.listKeys()).toStrictEqual([key(1)]);
      });

      it('refuses a second key with the same prefix', async () => {
        await store.insertKey(key(1));
        await expectUnavailable(store.insertKey(key(2, { prefix: key(1).prefix })));
        expect(await store.listKeys()).toStrictEqual([key(1)]);
      });

      it('refuses a key whose env is not a known environment', async () => {
        const unknownEnv = { ...key(1), env: 'qa' } as unknown as VirtualKeyRecord;
        await expectUnavailable(store.insertKey(unknownEnv));
        expect(await store.listKeys()).toStrictEqual([]);
      });

      it('revokes once: true, then false; false for an unknown id', async () => {
        await store.insertKey(key(1));
        expect(await store.revokeKey('key_1', 1_800_000_000_000)).toBe(true);
        expect(await store.revokeKey('key_1', 1_900_000_000_000)).toBe(false);
        expect(await store.revokeKey('key_404', 1_800_000_000_000)).toBe(false);
        const revoked = key(1, { revokedAtMs: 1_800_000_000_000 });
        expect(await store.findKeyByHash(key(1).hash)).toStrictEqual(revoked);
        expect(await store.findKey(key(1).prefix)).toStrictEqual(revoked);
      });

      it('round-trips expiry, null or far in the future', async () => {
        const far = key(1, { expiresAtMs: 4_102_444_800_000, env: 'ci' });
        const huge = key(2, { expiresAtMs: Number.MAX_SAFE_INTEGER, createdAtMs: 0 });
        await store.insertKey(far);
        await store.insertKey(huge);
        await store.insertKey(key(3));
        expect(await store.findKeyByHash(far.hash)).toStrictEqual(far);
        expect(await store.findKeyByHash(huge.hash)).toStrictEqual(huge);
        expect((await store.findKeyByHash(key(3).hash))?.expiresAtMs).toBeNull();
      });

      it('shows a write through one instance to another at once', async () => {
        const second = open(fx.openSecond);
        await second.migrate();
        expect(await second.findKeyByHash(key(1).hash)).toBeUndefined();
        await store.insertKey(key(1));
        expect(await second.findKeyByHash(key(1).hash)).toStrictEqual(key(1));
        // Looked up first, so a store that caches keys holds it when the other one writes.
        expect(await store.findKeyByHash(key(1).hash)).toStrictEqual(key(1));
        const scopes = { models: ['gpt-4o-mini'] };
        expect(await second.updateKeyScopes('key_1', scopes)).toBe(true);
        expect((await store.findKeyByHash(key(1).hash))?.scopes).toStrictEqual(scopes);
        expect(await second.revokeKey('key_1', 5)).toBe(true);
        expect((await store.findKeyByHash(key(1).hash))?.revokedAtMs).toBe(5);
      });

      it('shows its own revocation and re-scoping to its next lookup', async () => {
        await store.insertKey(key(1));
        expect(await store.findKeyByHash(key(1).hash)).toStrictEqual(key(1));
        expect(await store.updateKeyScopes('key_1', { models: ['gpt-4o'] })).toBe(true);
        expect((await store.findKeyByHash(key(1).hash))?.scopes).toStrictEqual({
          models: ['gpt-4o'],
        });
        expect(await store.revokeKey('key_1', 7)).toBe(true);
        expect((await store.findKeyByHash(key(1).hash))?.revokedAtMs).toBe(7);
      });
    });

    describe('audit', () => {
      beforeEach(() => store.migrate());

      it('round-trips every field exactly', async () => {
        const full = audit(1, { isStream: true, errorCode: 'upstream_timeout', status: 504 });
        const sparse = audit(2, {
          keyId: null,
          keyPrefix: null,
          env: null,
          model: null,
          provider: null,
          upstreamKeyLabel: null,
          errorCode: 'missing_api_key',
          status: 401,
          promptTokens: null,
          completionTokens: null,
          latencyMs: 0,
          upstreamLatencyMs: null,
          clientIp: null,
          isStream: false,
          timeMs: Number.MAX_SAFE_INTEGER,
        });
        await store.appendAudit([full, sparse]);
        expect(await store.queryAudit({})).toStrictEqual([sparse, full]);
      });

      it('round-trips decisions exactly and in order', async () => {
        const decisions: AuditDecision[] = [
          { stage: 'guard_pii', action: 'redact', type: 'email', count: 2 },
          { stage: 'guard_injection', action: 'flag', score: 0.93 },
          { stage: 'rate_limit', action: 'allow' },
          { stage: 'upstream_retry', action: 'retry', type: 'status', count: 1, detail: '503' },
          { stage: 'guard_secrets', action: 'block', type: 'openai_key', count: 0, score: 0 },
          { stage: 'upstream_fallback', action: 'fallback', detail: 'secondary' },
        ];
        const decided = audit(1, { decisions });
        const undecided = audit(2, { decisions: [] });
        await store.appendAudit([decided, undecided]);
        const found = await store.queryAudit({});
        expect(found).toStrictEqual([undecided, decided]);
        expect(found[0]?.decisions).toStrictEqual([]);
        expect(found[1]?.decisions).toStrictEqual(decisions);
      });

      it('refuses a batch with an invalid decision', async () => {
        const invalid = audit(2, {
          decisions: [{ stage: 'guard_pii', action: 'redact', count: Number.NaN }],
        });
        const untyped = {
          ...audit(3),
          decisions: [{ stage: 'guard_pii' }],
        } as unknown as AuditRecord;
        await expectUnavailable(store.appendAudit([audit(1), invalid]));
        await expectUnavailable(store.appendAudit([audit(1), untyped]));
        expect(await store.queryAudit({})).toStrictEqual([]);
      });

      it('stores a batch whole or not at all', async () => {
        await store.appendAudit([audit(1)]);
        const invalid = { ...audit(3), requestId: null } as unknown as AuditRecord;
        await expectUnavailable(store.appendAudit([audit(2), invalid, audit(4)]));
        expect(await store.queryAudit({})).toStrictEqual([audit(1)]);
        await store.appendAudit([]);
        expect(await store.queryAudit({})).toStrictEqual([audit(1)]);
      });

      it('keeps fractional durations exactly', async () => {
        const precise = audit(1, { latencyMs: 12.345, upstreamLatencyMs: 0.001 });
        await store.appendAudit([precise]);
        expect(await store.queryAudit({})).toStrictEqual([precise]);
      });

      it('filters by key, time window and status, newest first', async () => {
        const records = [
          audit(10, { keyId: 'key_a' }),
          audit(20, { keyId: 'key_b', status: 429, errorCode: 'rate_limit_exceeded' }),
          audit(30, { keyId: 'key_a', status: 429, errorCode: 'rate_limit_exceeded' }),
          audit(40, { keyId: 'key_a' }),
          audit(50, { keyId: null, status: 401, errorCode: 'invalid_api_key' }),
        ];
        await store.appendAudit(records);
        const ids = async (q: Parameters<Store['queryAudit']>[0]): Promise<string[]> =>
          (await store.queryAudit(q)).map((r) => r.requestId);
        const t = (n: number): number => 1_700_000_000_000 + n;

        expect(await ids({})).toStrictEqual(['req_50', 'req_40', 'req_30', 'req_20', 'req_10']);
        expect(await ids({ keyId: 'key_a' })).toStrictEqual(['req_40', 'req_30', 'req_10']);
        expect(await ids({ sinceMs: t(20) })).toStrictEqual([
          'req_50',
          'req_40',
          'req_30',
          'req_20',
        ]);
        expect(await ids({ untilMs: t(30) })).toStrictEqual(['req_20', 'req_10']);
        expect(await ids({ sinceMs: t(20), untilMs: t(40) })).toStrictEqual(['req_30', 'req_20']);
        expect(await ids({ status: 429 })).toStrictEqual(['req_30', 'req_20']);
        expect(await ids({ keyId: 'key_a', status: 429, sinceMs: t(30) })).toStrictEqual([
          'req_30',
        ]);
        expect(await ids({ keyId: 'key_a', untilMs: t(30) })).toStrictEqual(['req_10']);
        expect(await ids({ limit: 2 })).toStrictEqual(['req_50', 'req_40']);
        expect(await ids({ keyId: 'key_a', limit: 1 })).toStrictEqual(['req_40']);
        expect(await ids({ keyId: 'key_z' })).toStrictEqual([]);
      });

      it('keeps records of the same millisecond newest-appended first', async () => {
        await store.appendAudit([audit(1, { requestId: 'a' }), audit(1, { requestId: 'b' })]);
        await store.appendAudit([audit(1, { requestId: 'c' })]);
        const found = await store.queryAudit({ sinceMs: audit(1).timeMs });
        expect(found.map((r) => r.requestId)).toStrictEqual(['c', 'b', 'a']);
      });

      it('returns 100 by default and never more than 10,000', async () => {
        const many = Array.from({ length: 10_050 }, (_, i) => audit(i));
        await store.appendAudit(many);
        const byDefault = await store.queryAudit({});
        expect(byDefault).toHaveLength(100);
        expect(byDefault[0]).toStrictEqual(audit(10_049));
        expect(await store.queryAudit({ limit: 50_000 })).toHaveLength(10_000);
      });
    });

    describeStorePolicyContract(() => ({
      store,
      open: (which) => open(which === 'second' ? fx.openSecond : fx.openUnreachable),
    }));

    describeStorePoolContract(() => ({
      store,
      open: (which) => open(which === 'second' ? fx.openSecond : fx.openUnreachable),
    }));

    describeStoreAnomalyContract(() => ({
      store,
      openSecond: () => open(fx.openSecond),
      openUnreachable: () => open(fx.openUnreachable),
    }));

    describeStoreConsoleContract(() => ({ store, openSecond: () => open(fx.openSecond) }));

    describeStoreChainContract(() => ({
      store,
      openSecond: () => open(fx.openSecond),
      exec: fx.exec,
    }));

    describe('failure', () => {
      it('refuses every call once closed, and closes twice', async () => {
        await store.migrate();
        await store.close();
        await store.close();
        await expectAllUnavailable(store);
      });

      it('refuses every call when the database cannot be reached', async () => {
        await expectAllUnavailable(open(fx.openUnreachable));
      });
    });
  });
}
