import type { Row } from '../row-check.js';
import type { VirtualKeyRecord } from '../types.js';

interface Waiter {
  hash: string;
  resolve: (record: VirtualKeyRecord | undefined) => void;
  reject: (err: unknown) => void;
}

/**
 * Virtual-key lookups by hash made in one event-loop turn go to PostgreSQL as one query, sent
 * once the turn's I/O callbacks have run (`setImmediate`): under load a turn carries several
 * requests, and each query costs the gateway far more CPU than its row. Nothing is cached: the
 * query is always sent after every lookup it answers was made, so it sees every commit a caller
 * could have waited for (a key revoked before the request was sent is refused, on every
 * replica). A failed query fails every lookup in it; a row that does not parse, only its own.
 */
export function createKeyLookups(deps: {
  /** The rows of the keys with these hashes (column `hash` among them). */
  fetch: (hashes: string[]) => Promise<Row[]>;
  parse: (row: Row) => VirtualKeyRecord;
}): (hash: string) => Promise<VirtualKeyRecord | undefined> {
  let waiters: Waiter[] = [];

  async function send(): Promise<void> {
    const batch = waiters;
    waiters = [];
    let rows: Map<unknown, Row>;
    try {
      rows = new Map(
        (await deps.fetch([...new Set(batch.map((w) => w.hash))])).map((r) => [r['hash'], r]),
      );
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    for (const w of batch) {
      const row = rows.get(w.hash);
      try {
        w.resolve(row === undefined ? undefined : deps.parse(row));
      } catch (err) {
        w.reject(err);
      }
    }
  }

  return function findKeyByHash(hash) {
    if (waiters.length === 0) setImmediate(() => void send());
    return new Promise((resolve, reject) => waiters.push({ hash, resolve, reject }));
  };
}
