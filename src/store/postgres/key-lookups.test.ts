import { describe, expect, it } from 'vitest';
import type { Row } from '../row-check.js';
import type { VirtualKeyRecord } from '../types.js';
import { createKeyLookups } from './key-lookups.js';

const record = (hash: string): VirtualKeyRecord => ({
  id: `key_${hash}`,
  name: hash,
  env: 'prod',
  prefix: `bk_prod_${hash}`,
  hash,
  createdAtMs: 1,
  expiresAtMs: null,
  revokedAtMs: null,
  scopes: {},
});

function lookups(table: Record<string, Row>, version: { now: string | null } = { now: '1' }) {
  const queries: string[][] = [];
  const find = createKeyLookups({
    fetch: (hashes) => {
      queries.push(hashes);
      const rows = hashes.flatMap((h) => (table[h] === undefined ? [] : [table[h]]));
      return Promise.resolve({ version: version.now, rows });
    },
    parse: (row) => {
      if (row['hash'] === 'bad') throw new Error('corrupt row');
      return record(String(row['hash']));
    },
  });
  return { find, queries };
}

describe('postgres key lookups', () => {
  it('sends the lookups of one event-loop turn as one query, each hash once', async () => {
    const { find, queries } = lookups({ a: { hash: 'a' }, b: { hash: 'b' } });
    const found = await Promise.all(['a', 'b', 'a', 'x'].map(find));
    expect(found).toStrictEqual([record('a'), record('b'), record('a'), undefined]);
    expect(queries).toStrictEqual([['a', 'b', 'x']]);
    await find('b');
    expect(queries).toHaveLength(2);
  });

  it('asks only for keys not cached while the change counter stays, and again once it moves', async () => {
    const version = { now: '7' as string | null };
    const { find, queries } = lookups({ a: { hash: 'a' }, b: { hash: 'b' } }, version);
    expect(await Promise.all([find('a'), find('x')])).toStrictEqual([record('a'), undefined]);
    // Cached: the counter is still read (an empty list), the row is not; unknown keys are not cached.
    expect(await Promise.all([find('a'), find('x')])).toStrictEqual([record('a'), undefined]);
    expect(queries).toStrictEqual([['a', 'x'], ['x']]);
    version.now = '8';
    expect(await Promise.all([find('a'), find('b')])).toStrictEqual([record('a'), record('b')]);
    // The counter moved: the cache is dropped and the cached key asked for in a second statement.
    expect(queries.slice(2)).toStrictEqual([['b'], ['a']]);
    await find('a');
    expect(queries.slice(4)).toStrictEqual([[]]);
  });

  it('caches nothing when the counter cannot be read', async () => {
    const { find, queries } = lookups({ a: { hash: 'a' } }, { now: null });
    await find('a');
    await find('a');
    expect(queries).toStrictEqual([['a'], ['a']]);
  });

  it('fails every lookup of a failed query, and only its own for a row that does not parse', async () => {
    const { find } = lookups({ a: { hash: 'a' }, bad: { hash: 'bad' } });
    const [good, bad] = await Promise.allSettled([find('a'), find('bad')]);
    expect(good).toStrictEqual({ status: 'fulfilled', value: record('a') });
    expect(bad.status).toBe('rejected');
    const down = createKeyLookups({
      fetch: () => Promise.reject(new Error('connection refused')),
      parse: () => record('a'),
    });
    const results = await Promise.allSettled([down('a'), down('b')]);
    expect(results.map((r) => r.status)).toStrictEqual(['rejected', 'rejected']);
  });
});
