import type { VirtualKeyRecord } from '../types.js';

/**
 * Virtual keys found by hash, so a lookup costs no query and no row parse. Kept exact: a new,
 * revoked or re-scoped key is seen by every lookup that starts after the write committed.
 *
 * - A key write through any store on the same file in this process (`wrote()`) empties the
 *   cache of every such store at once (a per-file counter they all read).
 * - Another process (the CLI, another replica on the file) moves SQLite's `data_version`. That
 *   read takes a read transaction, two `fcntl` lock calls (15-35 µs on a busy machine, more than
 *   the rest of authentication), so it is read once per event-loop iteration, not per lookup:
 *   whatever another process wrote before a request could reach us arrived through I/O that
 *   this iteration's poll returned, so it committed before the first lookup of the iteration
 *   read the version. Lookups later in the same iteration reuse that reading.
 *
 * As a backstop the cache is also emptied every `maxAgeMs`. Unknown hashes are not cached (a
 * caller guessing keys cannot grow it), and it holds at most `maxEntries` keys.
 */
export interface KeyCache {
  get(hash: string): VirtualKeyRecord | undefined;
  /** Caches and returns the record. */
  set(hash: string, record: VirtualKeyRecord): VirtualKeyRecord;
  /** A key write through this store: every store on the file forgets what it cached. */
  wrote(): void;
}

export interface KeyCacheOptions {
  maxEntries: number;
  maxAgeMs: number;
}

/** Key writes per file by the stores of this process (`file`: the resolved path). */
const writesByFile = new Map<string | symbol, number>();

export function createKeyCache(
  file: string | symbol,
  dataVersion: () => number,
  opts: KeyCacheOptions = { maxEntries: 10_000, maxAgeMs: 60_000 },
): KeyCache {
  const records = new Map<string, VirtualKeyRecord>();
  let version = Number.NaN;
  let writes = writesByFile.get(file) ?? 0;
  let filledAtMs = 0;
  let isVersionFresh = false;
  const stale = () => {
    isVersionFresh = false;
  };

  /** Empties the cache when the file may have changed under it or it is past the backstop. */
  function check(): void {
    const localWrites = writesByFile.get(file) ?? 0;
    if (localWrites !== writes) {
      records.clear();
      writes = localWrites;
    }
    if (isVersionFresh) return;
    const now = dataVersion();
    isVersionFresh = true;
    // Read again in the next event-loop iteration (after its I/O callbacks).
    setImmediate(stale);
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
    wrote() {
      records.clear();
      writesByFile.set(file, (writesByFile.get(file) ?? 0) + 1);
    },
  };
}
