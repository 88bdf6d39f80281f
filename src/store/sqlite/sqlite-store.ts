import type Database from 'better-sqlite3';
import { resolve } from 'node:path';
import { GatewayError, isGatewayError } from '../../errors/gateway-error.js';
import { sqliteMigrations } from '../migrations/sqlite.js';
import type { AuditRecord, KeyScopes, Store, VirtualKeyRecord } from '../types.js';
import { migrateSqlite } from './migrate.js';
import { openDatabase } from './open.js';
import { createSqliteAnomalyStore } from './anomaly-store.js';
import { createSqliteConsoleStore } from './console-store.js';
import { createSqlitePolicyStore } from './policy-store.js';
import { createSqlitePoolStore } from './pool-store.js';
import {
  keyParams,
  parseAuditRow,
  parseChainedAuditRow,
  parseChainStartRow,
  parseKeyRow,
  parseUnchainedRow,
  scopesJson,
} from './rows.js';
import { createKeyCache } from './key-cache.js';
import { prepareStatements, type SqliteStatements } from './statements.js';

export interface SqliteStoreOptions {
  /** A file path, or `:memory:` for a private in-process database. */
  path: string;
  /**
   * `normal` (default) survives a process crash; `full` also an OS crash or power loss, at one
   * fsync per commit (audit.durability: sync).
   */
  synchronous?: 'normal' | 'full';
}

/**
 * A store on one SQLite file. Keys found by hash are cached (key-cache.ts), and the cache is
 * dropped whenever the file may have changed: the CLI or another replica writes the same file
 * from another process (SQLite's `data_version` moves, read once per event-loop iteration), or
 * a store of this process on the file wrote a key. So a new or revoked key is seen on the next
 * lookup, as without the cache. A file that cannot be
 * opened does not throw here; every call then fails with `store_unavailable`, like a
 * PostgreSQL store whose server is down.
 */
export function createSqliteStore(opts: SqliteStoreOptions): Store {
  // Long by design: one short method per Store operation, all over one database handle.
  let db: Database.Database | undefined;
  let openError: unknown;
  try {
    db = openDatabase(opts.path, opts.synchronous ?? 'normal');
  } catch (err) {
    openError = err;
  }
  let statements: SqliteStatements | undefined;
  let policy: ReturnType<typeof createSqlitePolicyStore> | undefined;
  let pools: ReturnType<typeof createSqlitePoolStore> | undefined;
  let anomaly: ReturnType<typeof createSqliteAnomalyStore> | undefined;
  let consoleState: ReturnType<typeof createSqliteConsoleStore> | undefined;

  function database(): Database.Database {
    if (db === undefined) throw openError;
    return db;
  }

  function stmts(): SqliteStatements {
    return (statements ??= prepareStatements(database()));
  }

  function pol(): ReturnType<typeof createSqlitePolicyStore> {
    return (policy ??= createSqlitePolicyStore(database()));
  }

  // Prepared on first use: the tables exist only once migrate() ran.
  function pool(): ReturnType<typeof createSqlitePoolStore> {
    return (pools ??= createSqlitePoolStore(database()));
  }

  function anom(): ReturnType<typeof createSqliteAnomalyStore> {
    return (anomaly ??= createSqliteAnomalyStore(database()));
  }

  function con(): ReturnType<typeof createSqliteConsoleStore> {
    return (consoleState ??= createSqliteConsoleStore(database()));
  }

  // A private in-memory database shares its file with no other store.
  const file = opts.path === ':memory:' ? Symbol('memory') : resolve(opts.path);
  const keys = createKeyCache(file, () => stmts().dataVersion.get() as number);

  function keyByHash(hash: string): VirtualKeyRecord | undefined {
    const cached = keys.get(hash);
    if (cached !== undefined) return cached;
    const row = stmts().keyByHash.get(hash);
    return row === undefined ? undefined : keys.set(hash, parseKeyRow(row));
  }

  return {
    kind: 'sqlite',
    location: typeof file === 'string' ? file : ':memory:',

    migrate: function migrate() {
      return attempt(() => migrateSqlite(database(), sqliteMigrations));
    },

    ping: function ping() {
      return attempt(() => {
        database().prepare('SELECT 1').get();
      });
    },

    close: function close() {
      return attempt(() => {
        db?.close();
      });
    },

    insertKey: function insertKey(record: VirtualKeyRecord) {
      return attempt(() => {
        keys.wrote();
        stmts().insertKey.run(...keyParams(record));
      });
    },

    findKeyByHash: function findKeyByHash(hash: string) {
      return attempt(() => keyByHash(hash));
    },

    findKeyByHashNow: function findKeyByHashNow(hash: string) {
      try {
        return keyByHash(hash);
      } catch (err) {
        throw unavailable(err);
      }
    },

    findKey: function findKey(idOrPrefix: string) {
      return attempt(() => {
        const s = stmts();
        const row = s.keyById.get(idOrPrefix) ?? s.keyByPrefix.get(idOrPrefix);
        return row === undefined ? undefined : parseKeyRow(row);
      });
    },

    listKeys: function listKeys() {
      return attempt(() => stmts().listKeys.all().map(parseKeyRow));
    },

    revokeKey: function revokeKey(id: string, atMs: number) {
      return attempt(() => {
        keys.wrote();
        return stmts().revokeKey.run(atMs, id).changes === 1;
      });
    },

    updateKeyScopes: function updateKeyScopes(id: string, scopes: KeyScopes) {
      return attempt(() => {
        keys.wrote();
        return stmts().updateKeyScopes.run(scopesJson(scopes), id).changes === 1;
      });
    },

    listKillSwitches: () => attempt(() => pol().listKillSwitches()),
    setKillSwitch: (entry) => attempt(() => pol().setKillSwitch(entry)),
    clearKillSwitch: (scope, target) => attempt(() => pol().clearKillSwitch(scope, target)),
    recordAlert: (alert) => attempt(() => pol().recordAlert(alert)),
    listAlerts: (query) => attempt(() => pol().listAlerts(query)),
    appendAdminEvent: (event) => attempt(() => pol().appendAdminEvent(event)),
    listAdminEvents: (query) => attempt(() => pol().listAdminEvents(query)),
    sumSpend: (sinceMs) => attempt(() => pol().sumSpend(sinceMs)),
    providerKeysVersion: () => attempt(() => pool().providerKeysVersion()),
    listProviderKeys: () => attempt(() => pool().listProviderKeys()),
    putProviderKey: (row, expected) => attempt(() => pool().putProviderKey(row, expected)),
    reportPoolReplica: (replica) => attempt(() => pool().reportPoolReplica(replica)),
    listPoolReplicas: (sinceMs) => attempt(() => pool().listPoolReplicas(sinceMs)),
    addAnomalyCounts: (deltas, alpha, atMs) =>
      attempt(() => anom().addAnomalyCounts(deltas, alpha, atMs)),
    addSeenNetwork: (keyId, network, atMs) =>
      attempt(() => anom().addSeenNetwork(keyId, network, atMs)),
    recordAnomalyAlert: (alert) => attempt(() => anom().recordAnomalyAlert(alert)),
    hasAnomalyAlert: (key) => attempt(() => anom().hasAnomalyAlert(key)),
    listAnomalyAlerts: (query) => attempt(() => anom().listAnomalyAlerts(query)),
    pruneAnomalyCounters: (beforeMs) => attempt(() => anom().pruneAnomalyCounters(beforeMs)),

    acknowledgeAlert: (ack) => attempt(() => con().acknowledgeAlert(ack)),
    hasBudgetAlert: (alert) => attempt(() => con().hasBudgetAlert(alert)),
    listAlertAcks: (kind, ids) => attempt(() => con().listAlertAcks(kind, ids)),
    insertConsoleSession: (row) => attempt(() => con().insertConsoleSession(row)),
    findConsoleSession: (hash) => attempt(() => con().findConsoleSession(hash)),
    touchConsoleSession: (hash, seenMs, expiresMs) =>
      attempt(() => con().touchConsoleSession(hash, seenMs, expiresMs)),
    deleteConsoleSession: (hash) => attempt(() => con().deleteConsoleSession(hash)),
    purgeConsoleSessions: (nowMs, keep) => attempt(() => con().purgeConsoleSessions(nowMs, keep)),
    summarizeAudit: (query) => attempt(() => con().summarizeAudit(query)),

    appendAudit: function appendAudit(records: readonly AuditRecord[]) {
      return attempt(() => {
        if (records.length > 0) stmts().appendAudit(records);
      });
    },

    queryAudit: function queryAudit(query) {
      return attempt(() => {
        const { stmt, params } = stmts().auditQuery(query);
        return stmt.all(...params).map(parseAuditRow);
      });
    },

    listAuditChains: function listAuditChains(sinceMs?: number) {
      return attempt(() => {
        const s = stmts();
        const rows = sinceMs === undefined ? s.auditChains.all() : s.auditChainsSince.all(sinceMs);
        return rows.map(parseChainStartRow);
      });
    },

    readAuditChain: function readAuditChain(chainId: string, afterSeq: number, limit: number) {
      return attempt(() =>
        stmts().auditChain.all(chainId, afterSeq, limit).map(parseChainedAuditRow),
      );
    },

    listAuditCuts: function listAuditCuts() {
      return attempt(() =>
        database()
          .prepare<[], { chain_id: string; to_seq: number; to_hash: string }>(
            'SELECT chain_id, to_seq, to_hash FROM audit_archive_cuts ORDER BY chain_id',
          )
          .all()
          .map((r) => ({ chainId: r.chain_id, toSeq: r.to_seq, toHash: r.to_hash })),
      );
    },

    cutAuditChain: function cutAuditChain(cut, atMs) {
      return attempt(() => {
        const db = database();
        db.prepare(
          'INSERT INTO audit_archive_cuts (chain_id, to_seq, to_hash, archived_at_ms) VALUES (?, ?, ?, ?) ' +
            'ON CONFLICT (chain_id) DO UPDATE SET to_seq = excluded.to_seq, to_hash = excluded.to_hash, ' +
            'archived_at_ms = excluded.archived_at_ms',
        ).run(cut.chainId, cut.toSeq, cut.toHash, atMs);
        // Each batch its own short write transaction: a cut of millions of rows never holds the
        // lock the gateway's audit writer waits on for longer than one batch.
        const first = db.prepare<[string], { seq: number | null }>(
          'SELECT min(chain_seq) AS seq FROM audit_log WHERE chain_id = ?',
        );
        const remove = db.prepare('DELETE FROM audit_log WHERE chain_id = ? AND chain_seq <= ?');
        let lowest = first.get(cut.chainId)?.seq ?? null;
        while (lowest !== null && lowest <= cut.toSeq) {
          remove.run(cut.chainId, Math.min(lowest + CUT_BATCH_ROWS - 1, cut.toSeq));
          lowest += CUT_BATCH_ROWS;
        }
      });
    },

    unchainedAudit: function unchainedAudit(sinceMs?: number) {
      return attempt(() => {
        const s = stmts();
        return parseUnchainedRow(
          sinceMs === undefined ? s.unchained.get() : s.unchainedSince.get(sinceMs),
        );
      });
    },
  };
}

/** Rows deleted per transaction when an archive cut removes a chain's old rows. */
const CUT_BATCH_ROWS = 10_000;

/** Runs a synchronous driver call; any failure becomes `store_unavailable`, cause attached. */
function attempt<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(unavailable(err));
  }
}

function unavailable(err: unknown): GatewayError {
  return isGatewayError(err) ? err : new GatewayError('store_unavailable', { cause: err });
}
