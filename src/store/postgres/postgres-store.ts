import pg from 'pg';
import { GatewayError, isGatewayError } from '../../errors/gateway-error.js';
import { postgresMigrations } from '../migrations/postgres.js';
import type { AuditQuery, AuditRecord, KeyScopes, Store, VirtualKeyRecord } from '../types.js';
import { migratePostgres } from './migrate.js';
import { createPostgresAnomalyStore } from './anomaly-store.js';
import { createPostgresConsoleStore } from './console-store.js';
import { createPostgresPolicyStore } from './policy-store.js';
import { createPostgresPoolStore } from './pool-store.js';
import {
  auditColumnArrays,
  keyParams,
  parseAuditRow,
  parseChainedAuditRow,
  parseChainStartRow,
  parseKeyRow,
  parseUnchainedRow,
  scopesJson,
} from './rows.js';
import { createKeyLookups } from './key-lookups.js';
import { createAuditQueryBuilder, sql } from './sql.js';

export interface PostgresStoreOptions {
  /** May hold a password: it is handed to pg and never put into a message. */
  connectionString: string;
  /** Schema holding the tables; set as the search_path of every connection. Default `public`. */
  schema?: string;
  /** Most connections the pool opens. Default 10. */
  poolSize?: number;
  /** How long to wait for a connection before failing with `store_unavailable`. Default 5000. */
  connectTimeoutMs?: number;
}

/** Lower-case identifiers only: the name goes unquoted into search_path and must not fold. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Rows deleted per statement when an archive cut removes a chain's old rows. */
const CUT_BATCH_ROWS = 10_000;

type Row = Record<string, unknown>;

/**
 * A store on a PostgreSQL database through a `pg.Pool`. The key lookups of one event-loop turn
 * share a statement, and keys are cached under the key change counter that statement reads
 * (key-lookups.ts); nothing else is cached between calls.
 */
export function createPostgresStore(opts: PostgresStoreOptions): Store {
  // Long by design: one short method per Store operation, all over one pool.
  const schema = opts.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) {
    throw new RangeError('Postgres store schema must match /^[a-z_][a-z0-9_]{0,62}$/.');
  }
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    keepAlive: true,
    application_name: 'bastion',
    // A startup parameter, so the search_path holds from the first statement on every
    // connection without an extra round trip.
    options: `-c search_path=${schema}`,
  });
  // An idle client whose server went away emits `error` on the pool; unhandled, that would
  // crash the process. The pool drops that client and the next query fails closed on its own.
  pool.on('error', () => undefined);
  const auditQueryStatement = createAuditQueryBuilder();
  const policy = createPostgresPolicyStore(pool);
  const pools = createPostgresPoolStore(pool);
  const anomaly = createPostgresAnomalyStore(pool);
  const consoleState = createPostgresConsoleStore(pool);
  let isClosed = false;

  async function rows(query: pg.QueryConfig): Promise<Row[]> {
    return (await pool.query<Row>(query)).rows;
  }

  const keyLookups = createKeyLookups({
    fetch: async (hashes) => {
      const found = await rows({ ...sql.keysByHash, values: [hashes] });
      const version = found[0]?.['key_changes_version'];
      return { version: typeof version === 'string' ? version : null, rows: found };
    },
    parse: parseKeyRow,
  });

  return {
    kind: 'postgres',
    location: postgresLocation(opts.connectionString, schema),

    migrate: function migrate() {
      return attempt(async () => {
        const client = await pool.connect();
        let isBroken = false;
        try {
          await migratePostgres(client, schema, postgresMigrations);
        } catch (err) {
          isBroken = true;
          throw err;
        } finally {
          client.release(isBroken);
        }
      });
    },

    ping: function ping() {
      return attempt(async () => {
        await pool.query('SELECT 1');
      });
    },

    close: function close() {
      return attempt(async () => {
        if (isClosed) return;
        isClosed = true;
        await pool.end();
      });
    },

    insertKey: function insertKey(record: VirtualKeyRecord) {
      return attempt(async () => {
        await pool.query({ ...sql.insertKey, values: keyParams(record) });
      });
    },

    findKeyByHash: function findKeyByHash(hash: string) {
      return attempt(() => keyLookups(hash));
    },

    findKey: function findKey(idOrPrefix: string) {
      return attempt(async () => {
        const [row] = await rows({ ...sql.keyByIdOrPrefix, values: [idOrPrefix] });
        return row === undefined ? undefined : parseKeyRow(row);
      });
    },

    listKeys: function listKeys() {
      return attempt(async () => (await rows(sql.listKeys)).map(parseKeyRow));
    },

    revokeKey: function revokeKey(id: string, atMs: number) {
      return attempt(async () => {
        const result = await pool.query({ ...sql.revokeKey, values: [id, atMs] });
        return result.rowCount === 1;
      });
    },

    updateKeyScopes: function updateKeyScopes(id: string, scopes: KeyScopes) {
      return attempt(async () => {
        const values = [id, scopesJson(scopes)];
        return (await pool.query({ ...sql.updateKeyScopes, values })).rowCount === 1;
      });
    },

    listKillSwitches: () => attempt(() => policy.listKillSwitches()),
    setKillSwitch: (entry) => attempt(() => policy.setKillSwitch(entry)),
    clearKillSwitch: (scope, target) => attempt(() => policy.clearKillSwitch(scope, target)),
    recordAlert: (alert) => attempt(() => policy.recordAlert(alert)),
    listAlerts: (query) => attempt(() => policy.listAlerts(query)),
    appendAdminEvent: (event) => attempt(() => policy.appendAdminEvent(event)),
    listAdminEvents: (query) => attempt(() => policy.listAdminEvents(query)),
    sumSpend: (sinceMs) => attempt(() => policy.sumSpend(sinceMs)),
    providerKeysVersion: () => attempt(() => pools.providerKeysVersion()),
    listProviderKeys: () => attempt(() => pools.listProviderKeys()),
    putProviderKey: (row, expected) => attempt(() => pools.putProviderKey(row, expected)),
    reportPoolReplica: (replica) => attempt(() => pools.reportPoolReplica(replica)),
    listPoolReplicas: (sinceMs) => attempt(() => pools.listPoolReplicas(sinceMs)),
    addAnomalyCounts: (deltas, alpha, atMs) =>
      attempt(() => anomaly.addAnomalyCounts(deltas, alpha, atMs)),
    addSeenNetwork: (keyId, network, atMs) =>
      attempt(() => anomaly.addSeenNetwork(keyId, network, atMs)),
    recordAnomalyAlert: (alert) => attempt(() => anomaly.recordAnomalyAlert(alert)),
    hasAnomalyAlert: (key) => attempt(() => anomaly.hasAnomalyAlert(key)),
    listAnomalyAlerts: (query) => attempt(() => anomaly.listAnomalyAlerts(query)),
    pruneAnomalyCounters: (beforeMs) => attempt(() => anomaly.pruneAnomalyCounters(beforeMs)),

    acknowledgeAlert: (ack) => attempt(() => consoleState.acknowledgeAlert(ack)),
    hasBudgetAlert: (alert) => attempt(() => consoleState.hasBudgetAlert(alert)),
    listAlertAcks: (kind, ids) => attempt(() => consoleState.listAlertAcks(kind, ids)),
    insertConsoleSession: (row) => attempt(() => consoleState.insertConsoleSession(row)),
    findConsoleSession: (hash) => attempt(() => consoleState.findConsoleSession(hash)),
    touchConsoleSession: (hash, seenMs, expiresMs) =>
      attempt(() => consoleState.touchConsoleSession(hash, seenMs, expiresMs)),
    deleteConsoleSession: (hash) => attempt(() => consoleState.deleteConsoleSession(hash)),
    purgeConsoleSessions: (nowMs, keep) =>
      attempt(() => consoleState.purgeConsoleSessions(nowMs, keep)),
    summarizeAudit: (query) => attempt(() => consoleState.summarizeAudit(query)),

    appendAudit: function appendAudit(records: readonly AuditRecord[]) {
      return attempt(async () => {
        if (records.length === 0) return;
        // One statement is one implicit transaction: the batch is stored whole or not at all,
        // without the two extra round trips of BEGIN and COMMIT.
        await pool.query({ ...sql.appendAudit, values: auditColumnArrays(records) });
      });
    },

    queryAudit: function queryAudit(query: AuditQuery) {
      return attempt(async () => (await rows(auditQueryStatement(query))).map(parseAuditRow));
    },

    listAuditChains: function listAuditChains(sinceMs?: number) {
      return attempt(async () => {
        const query =
          sinceMs === undefined ? sql.auditChains : { ...sql.auditChainsSince, values: [sinceMs] };
        return (await rows(query)).map(parseChainStartRow);
      });
    },

    readAuditChain: function readAuditChain(chainId: string, afterSeq: number, limit: number) {
      return attempt(async () =>
        (await rows({ ...sql.auditChain, values: [chainId, afterSeq, limit] })).map(
          parseChainedAuditRow,
        ),
      );
    },

    listAuditCuts: function listAuditCuts() {
      return attempt(async () =>
        (
          await rows({
            text: 'SELECT chain_id, to_seq, to_hash FROM audit_archive_cuts ORDER BY chain_id',
          })
        ).map((r) => ({
          chainId: String(r.chain_id),
          toSeq: Number(r.to_seq),
          toHash: String(r.to_hash),
        })),
      );
    },

    cutAuditChain: function cutAuditChain(cut, atMs) {
      return attempt(async () => {
        await pool.query({
          text:
            'INSERT INTO audit_archive_cuts (chain_id, to_seq, to_hash, archived_at_ms) VALUES ($1, $2, $3, $4) ' +
            'ON CONFLICT (chain_id) DO UPDATE SET to_seq = excluded.to_seq, to_hash = excluded.to_hash, ' +
            'archived_at_ms = excluded.archived_at_ms',
          values: [cut.chainId, cut.toSeq, cut.toHash, atMs],
        });
        // Each batch its own statement, so its own transaction: no single transaction holds
        // millions of row locks and dead tuples for vacuum to wait on.
        const [first] = await rows({
          text: 'SELECT min(chain_seq) AS seq FROM audit_log WHERE chain_id = $1',
          values: [cut.chainId],
        });
        let lowest = first?.seq === null || first === undefined ? null : Number(first.seq);
        while (lowest !== null && lowest <= cut.toSeq) {
          await pool.query({
            text: 'DELETE FROM audit_log WHERE chain_id = $1 AND chain_seq <= $2',
            values: [cut.chainId, Math.min(lowest + CUT_BATCH_ROWS - 1, cut.toSeq)],
          });
          lowest += CUT_BATCH_ROWS;
        }
      });
    },

    unchainedAudit: function unchainedAudit(sinceMs?: number) {
      return attempt(async () => {
        const query =
          sinceMs === undefined ? sql.unchained : { ...sql.unchainedSince, values: [sinceMs] };
        const [row] = await rows(query);
        return parseUnchainedRow(row);
      });
    },
  };
}

/** Any failure, thrown or rejected, becomes `store_unavailable` with the driver error as cause. */
async function attempt<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw isGatewayError(err) ? err : new GatewayError('store_unavailable', { cause: err });
  }
}

/**
 * `postgres://host:port/database#schema`: the server and database the URL names (user and
 * password left out), with libpq's defaults for what it leaves out. A string that is not a URL
 * is described as `postgres://(unparsed)`, never quoted: it may hold a password.
 */
export function postgresLocation(connectionString: string, schema: string): string {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return `postgres://(unparsed)#${schema}`;
  }
  const host = url.hostname === '' ? (process.env.PGHOST ?? 'localhost') : url.hostname;
  const port = url.port === '' ? (process.env.PGPORT ?? '5432') : url.port;
  const database =
    decodeURIComponent(url.pathname.replace(/^\//, '')) || url.username || 'postgres';
  return `postgres://${host}:${port}/${database}#${schema}`;
}
