import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';

const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens the file shared by the gateway and the CLI. WAL lets the gateway read while the CLI
 * writes; busy_timeout makes a writer wait for the lock instead of failing at once;
 * synchronous=NORMAL is durable across process crashes in WAL mode (only an OS crash can lose
 * the last commits) at a fraction of the cost of FULL, which audit.durability sync asks for.
 */
export function openDatabase(
  path: string,
  synchronous: 'normal' | 'full' = 'normal',
): Database.Database {
  if (path !== ':memory:' && path !== '') createPrivateFile(path);
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Audit rows and key hashes are nobody else's business: the file is created owner-only. SQLite
 * gives the -wal and -shm files the mode of the database file. An existing file keeps its mode.
 */
function createPrivateFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (err) {
    if (!(err instanceof Error && 'code' in err && err.code === 'EEXIST')) throw err;
  }
}
