import { describe, expect, it } from 'vitest';
import type { VirtualKeyRecord } from '../store/types.js';
import { reviewKeys, suspendedKeyIds } from './access-review.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);

function key(id: string, over: Partial<VirtualKeyRecord> = {}): VirtualKeyRecord {
  return {
    id,
    name: id,
    env: 'dev',
    prefix: `bk_dev_${id}`,
    hash: id,
    createdAtMs: NOW - DAY,
    expiresAtMs: NOW + 30 * DAY,
    revokedAtMs: null,
    scopes: { models: ['gpt-4o-mini'] },
    ...over,
  };
}

const opts = { nowMs: NOW, unusedDays: 30, maxAgeDays: 90, teams: new Set(['payments']) };
const none = { lastUsedMs: new Map<string, number>(), suspended: new Set<string>() };

describe('access review', () => {
  it('finds nothing on a fresh, scoped, expiring key', () => {
    expect(reviewKeys([key('ok')], none, opts)[0]?.findings).toEqual([]);
  });

  it('flags each risk on its own', () => {
    const keys = [
      key('stale', { createdAtMs: NOW - 40 * DAY }),
      key('forever', { expiresAtMs: null }),
      key('star', { scopes: { models: ['*'] } }),
      key('unscoped', { scopes: {} }),
      key('open-prod', { env: 'prod' }),
      key('fenced-prod', { env: 'prod', scopes: { models: ['a'], ipRanges: ['10.0.0.0/8'] } }),
      key('orphan', { scopes: { models: ['a'], team: 'gone' } }),
      key('team-ok', { scopes: { models: ['a'], team: 'payments' } }),
    ];
    const used = new Map([['stale', NOW - 5 * DAY]]);
    const byId = (facts: typeof none) =>
      Object.fromEntries(reviewKeys(keys, facts, opts).map((r) => [r.id, r.findings]));
    expect(byId(none)).toEqual({
      stale: ['unused'],
      forever: ['no_expiry'],
      star: ['all_models'],
      unscoped: ['all_models'],
      'open-prod': ['no_ip_range_in_prod'],
      'fenced-prod': [],
      orphan: ['unknown_team'],
      'team-ok': [],
    });
    // Used 5 days ago: no longer stale.
    expect(byId({ ...none, lastUsedMs: used }).stale).toEqual([]);
  });

  it('calls a key old past maxAgeDays, and unused when its last use is older than unusedDays', () => {
    const [r] = reviewKeys(
      [key('old', { createdAtMs: NOW - 100 * DAY })],
      { ...none, lastUsedMs: new Map([['old', NOW - 31 * DAY]]) },
      opts,
    );
    expect(r?.findings).toEqual(['unused', 'old']);
    expect(r?.ageDays).toBe(100);
    expect(r?.lastUsedMs).toBe(NOW - 31 * DAY);
  });

  it('reports state, and no findings for keys that can no longer be used', () => {
    const keys = [
      key('revoked', { revokedAtMs: NOW - DAY, expiresAtMs: null }),
      key('expired', { expiresAtMs: NOW - 1, scopes: {} }),
      key('held', { expiresAtMs: null }),
    ];
    const suspended = suspendedKeyIds([
      { scope: 'key', target: 'held', reason: 'r', createdAtMs: 0, actor: 'a' },
      { scope: 'provider', target: 'revoked', reason: 'r', createdAtMs: 0, actor: 'a' },
    ]);
    const rows = reviewKeys(keys, { ...none, suspended }, opts);
    expect(rows.map((r) => [r.state, r.findings])).toEqual([
      ['revoked', []],
      ['expired', []],
      ['suspended', ['no_expiry']],
    ]);
  });
});
