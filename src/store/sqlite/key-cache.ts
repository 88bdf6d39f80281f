import type { VirtualKeyRecord } from '../types.js';

/**
 * Virtual keys found by hash, so a request costs one `PRAGMA data_version` read instead of a
 * query and a row parse. SQLite moves `data_version` when another connection (the CLI, another
 * replica on the same file, another store in this process) commits; this connection's own
 * key writes clear the cache directly, since they do not move it. Either empties the whole
 * cache, so a new, revoked or re-scoped key is seen on the next lookup. As a backstop the
 * cache is also emptied every `maxAgeMs`. Unknown hashes are not cached (a caller guessing
 * keys cannot grow it), and it holds at most `maxEntries` keys.
 */
export interface KeyCache {
  get(hash: string): VirtualKeyRecord | undefined;
  /** Caches and returns the record. */
  set(hash: string, record: VirtualKeyRecord): VirtualKeyRecord;
  clear(): void;
}

export interface KeyCacheOptions {
  maxEntries: number;
  maxAgeMs: number;
}

export function createKeyCache(
  dataVersion: () => number,
  opts: KeyCacheOptions = { maxEntries: 10_000, maxAgeMs: 60_000 },
): KeyCache {
  const records = new Map<string, VirtualKeyRecord>();
  let version = Number.NaN;
  let filledAtMs = 0;

  /** Empties the cache when the file changed under it or it is older than the backstop. */
  function check(): void {
    const now = dataVersion();
    if (now !== version || performance.now() - filledAtMs > opts.maxAgeMs) {
      records.clear();
      version = now;
      filledAtMs = performance.now();
    }
  }

  return {
    get(hash) {
      check();
      return records.get(hash);
    },
    set(hash, record) {
      if (records.size >= opts.maxEntries) records.clear();
      records.set(hash, Object.freeze(record));
      return record;
    },
    clear() {
      records.clear();
    },
  };
}
