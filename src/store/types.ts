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
  /** What the key may do; `{}` means the environment's defaults and no restriction. */
  scopes: KeyScopes;
}

/** Limits on one subject. Money is integer micro-dollars. */
export interface LimitSet {
  rps?: number;
  rpm?: number;
  rph?: number;
  tpm?: number;
  concurrency?: number;
  dailyBudgetMicroUsd?: number;
  monthlyBudgetMicroUsd?: number;
}

/** Least privilege for one key; every field absent means "not restricted by the key". */
export interface KeyScopes {
  /** Model globs (`*`, `?`), matched against the model name the caller sends. */
  models?: string[];
  endpoints?: ('chat_completions' | 'responses' | 'embeddings' | 'messages' | 'models')[];
  providers?: string[];
  /** CIDR ranges (IPv4 or IPv6) the caller's address must fall in. */
  ipRanges?: string[];
  /** Ceiling on output tokens per request. */
  maxTokens?: number;
  /** `clamp` (default) lowers a larger request; `refuse` answers 403 max_tokens_exceeded. */
  maxTokensMode?: 'clamp' | 'refuse';
  maxRequestCostMicroUsd?: number;
  team?: string;
  /** Tier of the end users this key's app names (else `policy.appUserTier`; else none). */
  tier?: string;
  /** Overrides the environment's key defaults, field by field. */
  limits?: LimitSet;
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
  /** Settled cost in micro-dollars; null when nothing was charged or no price applied. */
  costMicroUsd: number | null;
  /** End user (JWT subject, or named by the app); null when none. */
  userId: string | null;
  team: string | null;
  /**
   * The record's place in its writer's hash chain, set by the audit writer when it flushes.
   * Not an audited field: `queryAudit` leaves it out; `readAuditChain` returns it.
   */
  chain?: AuditChainLink;
}

/** One link of an audit hash chain (src/pipeline/audit/chain.ts). */
export interface AuditChainLink {
  /** Random per writer process. */
  chainId: string;
  /** 1, 2, 3, … in the order the writer appended. */
  seq: number;
  /** Hex hash of the previous record of the chain; 64 zeros for the first. */
  prevHash: string;
  /** Hex SHA-256 or HMAC-SHA-256 over the canonical encoding. */
  hash: string;
}

/** A chain with rows in range, and the lowest and highest seq among them. */
export interface AuditChainStart {
  chainId: string;
  fromSeq: number;
  /** Its progress total (`toSeq - fromSeq + 1` rows unless some are missing). */
  toSeq: number;
}

/** Rows written before chaining (or by a writer that does not chain). */
export interface UnchainedAudit {
  rows: number;
  fromMs: number | null;
  toMs: number | null;
}

/** Where a chain's archived rows end: its remaining rows continue from here. */
export interface AuditCut {
  chainId: string;
  toSeq: number;
  toHash: string;
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
  /** Replaces a key's scopes; false when no such key exists. */
  updateKeyScopes(id: string, scopes: KeyScopes): Promise<boolean>;
}

export type KillSwitchScope = 'global' | 'env' | 'provider' | 'key';

/** An engaged kill switch; `target` is `*` for global, else the env, provider or key id. */
export interface KillSwitch {
  scope: KillSwitchScope;
  target: string;
  reason: string;
  createdAtMs: number;
  actor: string;
}

/** A budget alert, raised once per budget, window and threshold. */
export interface BudgetAlert {
  /** e.g. `key:key_abc:monthly`. */
  budget: string;
  /** e.g. `m202506` or `d20250601`. */
  window: string;
  thresholdPct: number;
  spentMicroUsd: number;
  limitMicroUsd: number;
  atMs: number;
}

/** An operator action (kill switch, key change, rotation): who did what to what, when. */
export interface AdminEvent {
  timeMs: number;
  actor: string;
  /** e.g. `kill_switch_set`, `key_scopes_updated`. */
  action: string;
  target: string;
  /** Short metadata; never a secret. */
  detail: string | null;
}

/** Settled spend since a time, summed per subject combination, from the audit log. */
export interface SpendRow {
  keyId: string | null;
  userId: string | null;
  team: string | null;
  env: Environment | null;
  costMicroUsd: number;
}

export interface PolicyStore {
  listKillSwitches(): Promise<KillSwitch[]>;
  /** Engages (or re-engages with a new reason) a kill switch. */
  setKillSwitch(entry: KillSwitch): Promise<void>;
  /** Returns false when it was not engaged. */
  clearKillSwitch(scope: KillSwitchScope, target: string): Promise<boolean>;
  /** Stores the alert unless one exists for the same budget, window and threshold; true if new. */
  recordAlert(alert: BudgetAlert): Promise<boolean>;
  /** Newest first. */
  listAlerts(query: { sinceMs?: number; limit?: number }): Promise<BudgetAlert[]>;
  appendAdminEvent(event: AdminEvent): Promise<void>;
  /** Newest first. */
  listAdminEvents(query: { sinceMs?: number; limit?: number }): Promise<AdminEvent[]>;
  sumSpend(sinceMs: number): Promise<SpendRow[]>;
}

export interface AuditStore {
  /** Appends a batch atomically: all records or none. */
  appendAudit(records: readonly AuditRecord[]): Promise<void>;
  queryAudit(query: AuditQuery): Promise<AuditRecord[]>;
  /** Every chain with a row at `time_ms >= sinceMs` (all chains when absent), by chain id. */
  listAuditChains(sinceMs?: number): Promise<AuditChainStart[]>;
  /** Up to `limit` rows of one chain with seq > `afterSeq`, in seq order, `chain` set. */
  readAuditChain(chainId: string, afterSeq: number, limit: number): Promise<AuditRecord[]>;
  /** Rows without a chain at `time_ms >= sinceMs` (all when absent). */
  unchainedAudit(sinceMs?: number): Promise<UnchainedAudit>;
  /** Every chain's archive cut (bastion audit archive). */
  listAuditCuts(): Promise<AuditCut[]>;
  /**
   * Records the cut, then deletes the chain's rows up to `cut.toSeq` in batches of short
   * transactions (the archive holding them is written first). Verify walks a chain from its
   * cut, so rows an interrupted delete left behind are not read, and the next cut deletes them.
   */
  cutAuditChain(cut: AuditCut, atMs: number): Promise<void>;
}

export interface Store extends KeyStore, AuditStore, PolicyStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Applies pending migrations; safe to call from several processes at once. */
  migrate(): Promise<void>;
  /** Round-trip check for health endpoints. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
