import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../../test/contract/store.contract.js';
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { AuditRecord, Store } from '../../store/types.js';
import { keyUsageSince } from './key-usage.js';

const T0 = 1_700_000_000_000;

describe('keyUsageSince (real SQLite store)', () => {
  let store: Store;
  beforeAll(async () => {
    store = createSqliteStore({ path: ':memory:' });
    await store.migrate();
    // 25,000 requests, 7 per millisecond so page boundaries fall inside a millisecond.
    const rows: AuditRecord[] = [];
    for (let n = 0; n < 25_000; n++) {
      const label = n % 5 === 0 ? 'old' : 'new';
      rows.push(audit(n, { timeMs: T0 + Math.floor(n / 7), upstreamKeyLabel: label }));
    }
    rows.push(audit(90_000, { provider: 'anthropic', upstreamKeyLabel: 'old' }));
    rows.push(audit(90_001, { endpoint: 'admin:provider_keys', upstreamKeyLabel: 'old' }));
    for (let i = 0; i < rows.length; i += 5_000) await store.appendAudit(rows.slice(i, i + 5_000));
  });
  afterAll(() => store.close());

  it('counts every request of the provider once per key, across pages', async () => {
    const usage = await keyUsageSince(store, 'openai', T0);
    expect(usage.byKey).toEqual({ old: 5_000, new: 20_000 });
    expect(usage.scannedRows).toBe(25_002);
  });

  it('counts only requests since the given time', async () => {
    const since = T0 + 3_000; // request 21,000 onwards
    const usage = await keyUsageSince(store, 'openai', since);
    expect(usage.byKey).toEqual({ old: 800, new: 3_200 });
  });
});
