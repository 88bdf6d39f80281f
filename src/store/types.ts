/**
 * The store contract. Every implementation (SQLite, PostgreSQL) passes the same suite in
 * `test/contract/store.contract.ts`. Driver failures are wrapped in
 * `GatewayError('store_unavailable', { cause })` so the pipeline fails closed.
 */

export const ENVIRONMENTS = ['dev', 'staging', 'prod', 'ci'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** A gateway-issued key as stored: never the secret, only its hash and visible prefix. */
export interface VirtualKeyRecord {
  id: string;
  name: string;
  env: Environment;
  /** e.g. `bk_prod_Ab3dE9xZ`: enough for support to recognise a key, useless to use it. */
  prefix: string;
  /** SHA-256 of the full secret, hex. The secret has 256 random bits, so no pepper is needed. */
  hash: string;
  createdAtMs: number;
  expiresAtMs: number | null;
  revokedAtMs: number | null;
}

/** A policy, guard or upstream decision about one request: metadata only, never matched text. */
export interface AuditDecision {
  /** Stage or component, e.g. `guard_pii`, `rate_limit`, `upstream_retry`. */
  stage: string;
  /** e.g. `redact`, `pseudonymise`, `block`, `flag`, `allow`, `retry`, `fallback`, `clamp`. */
  action: string;
  /** What was seen or which limit, e.g. `email`, `openai_key`, `rpm`, `budget:key:daily`. */
  type?: string;
  count?: number;
  score?: number;
  /** Short code-like metadata (a status, an upstream key label); never user text or secrets. */
  detail?: string;
}

export interface AuditRecord {
  requestId: string;
  timeMs: number;
  keyId: string | null;
  keyPrefix: string | null;
  env: Environment | null;
  endpoint: string;
  model: string | null;
  provider: string | null;
  upstreamKeyLabel: string | null;
  status: number;
  errorCode: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  latencyMs: number;
  upstreamLatencyMs: number | null;
  clientIp: string | null;
  isStream: boolean;
  /** In the order they were taken; empty when nothing was decided beyond the defaults. */
  decisions: AuditDecision[];
}

export interface AuditQuery {
  keyId?: string;
  /** Inclusive lower bound on `timeMs`. */
  sinceMs?: number;
  /** Exclusive upper bound on `timeMs`. */
  untilMs?: number;
  status?: number;
  /** Newest first; at most this many (default 100, capped at 10,000). */
  limit?: number;
}

export interface KeyStore {
  insertKey(record: VirtualKeyRecord): Promise<void>;
  /** The hot-path lookup: one indexed read. */
  findKeyByHash(hash: string): Promise<VirtualKeyRecord | undefined>;
  /** By id or by visible prefix. */
  findKey(idOrPrefix: string): Promise<VirtualKeyRecord | undefined>;
  listKeys(): Promise<VirtualKeyRecord[]>;
  /** Returns false when no such key exists or it was already revoked. */
  revokeKey(id: string, atMs: number): Promise<boolean>;
}

export interface AuditStore {
  /** Appends a batch atomically: all records or none. */
  appendAudit(records: readonly AuditRecord[]): Promise<void>;
  queryAudit(query: AuditQuery): Promise<AuditRecord[]>;
}

export interface Store extends KeyStore, AuditStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Applies pending migrations; safe to call from several processes at once. */
  migrate(): Promise<void>;
  /** Round-trip check for health endpoints. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
