import type { Row } from '../row-check.js';
import type { VirtualKeyRecord } from '../types.js';

interface Waiter {
  hash: string;
  resolve: (record: VirtualKeyRecord | undefined) => void;
  reject: (err: unknown) => void;
}

/** What one statement read: the key change counter and the rows of the hashes asked for. */
export interface KeyRows {
  /** `key_changes.version`; null when its row is gone (then nothing is cached). */
  version: string | null;
  /** Rows of the keys found (column `hash` among them); rows whose `hash` is null are skipped. */
  rows: Row[];
}

export interface KeyLookupOptions {
  maxEntries: number;
  /** Backstop: the cache is emptied when it is older than this, whatever the counter says. */
  maxAgeMs: number;
}

/** A lookup's answer, or why it failed (a row that does not parse fails only its own hash). */
type Answer = { record: VirtualKeyRecord | undefined } | { error: unknown };

/**
 * Virtual-key lookups by hash made in one event-loop turn go to PostgreSQL as one statement,
 * sent once the turn's I/O callbacks have run (`setImmediate`), after every lookup it answers
 * was made: it sees every commit a caller could have waited for, so a key revoked (on any
 * replica, by the CLI, or by hand) before the request was sent is refused.
 *
 * That statement also reads `key_changes.version`, a counter a trigger bumps in every
 * transaction that changes `virtual_keys` (migration 10). Keys are cached with the version
 * read in the same snapshot as their rows; while the version read stays the same, no key has
 * changed, and cached keys are answered without their rows: only the hashes not cached are
 * asked for, and a turn whose keys are all cached costs one read of the counter. A different
 * version empties the cache and the turn's cached hashes are asked for again, in a second
 * statement. (A change feed, LISTEN/NOTIFY, cannot replace this read: a notification reaches a
 * replica some time after the commit was acknowledged, and a request sent at once can arrive
 * first. With the read, a notification would add nothing.)
 *
 * Unknown hashes are not cached (a caller guessing keys cannot grow the cache); at most
 * `maxEntries` keys, and emptied every `maxAgeMs` (a write that bypassed the trigger). A failed
 * statement fails every lookup in it; a row that does not parse, only its own.
 */
export function createKeyLookups(
  deps: {
    fetch: (hashes: string[]) => Promise<KeyRows>;
    parse: (row: Row) => VirtualKeyRecord;
  },
  opts: KeyLookupOptions = { maxEntries: 10_000, maxAgeMs: 60_000 },
): (hash: string) => Promise<VirtualKeyRecord | undefined> {
  let waiters: Waiter[] = [];
  const cache = new Map<string, VirtualKeyRecord>();
  /** The version every cached key was read under; null: nothing may be cached. */
  let cachedVersion: string | null = null;
  let filledAtMs = 0;

  /** Whether the cache still holds exactly the keys of `version` (else it is emptied). */
  function keep(version: string | null): boolean {
    if (version !== null && version === cachedVersion) {
      if (performance.now() - filledAtMs <= opts.maxAgeMs) return true;
    }
    cache.clear();
    cachedVersion = version;
    filledAtMs = performance.now();
    return false;
  }

  /** One statement: the rows of `asked`, answered into `answers`, cached under its version. */
  async function read(asked: string[], answers: Map<string, Answer>): Promise<boolean> {
    const { version, rows } = await deps.fetch(asked);
    const isKept = keep(version);
    for (const row of rows) {
      const hash = row['hash'];
      if (typeof hash !== 'string') continue;
      try {
        const record = deps.parse(row);
        answers.set(hash, { record });
        if (version !== null) {
          if (cache.size >= opts.maxEntries) cache.clear();
          cache.set(hash, Object.freeze(record));
        }
      } catch (error) {
        answers.set(hash, { error });
      }
    }
    for (const hash of asked) if (!answers.has(hash)) answers.set(hash, { record: undefined });
    return isKept;
  }

  async function answer(hashes: string[]): Promise<Map<string, Answer>> {
    const answers = new Map<string, Answer>();
    const cached = hashes.filter((h) => cache.has(h));
    const isKept = await read(
      hashes.filter((h) => !cache.has(h)),
      answers,
    );
    // Cached before the statement and still cached under the version it read (another turn's
    // statement may have changed the cache meanwhile): unchanged since, answered from it.
    const again: string[] = [];
    for (const hash of cached) {
      const record = isKept ? cache.get(hash) : undefined;
      if (record !== undefined) answers.set(hash, { record });
      else if (!answers.has(hash)) again.push(hash);
    }
    if (again.length > 0) await read(again, answers);
    return answers;
  }

  async function send(): Promise<void> {
    const batch = waiters;
    waiters = [];
    let answers: Map<string, Answer>;
    try {
      answers = await answer([...new Set(batch.map((w) => w.hash))]);
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    for (const w of batch) {
      const found = answers.get(w.hash);
      if (found !== undefined && 'error' in found) w.reject(found.error);
      else w.resolve(found?.record);
    }
  }

  return function findKeyByHash(hash) {
    if (waiters.length === 0) setImmediate(() => void send());
    return new Promise((resolve, reject) => waiters.push({ hash, resolve, reject }));
  };
}
