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
  /**
   * The same lookup answered without waiting, on a store whose reads never wait (SQLite): it
   * throws `store_unavailable` where `findKeyByHash` rejects. Authentication then costs no
   * promise and no microtask. Absent on a store that reads over the network.
   */
  findKeyByHashNow?(hash: string): VirtualKeyRecord | undefined;
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

export type ProviderKeyLifecycle = 'active' | 'draining' | 'revoked';

/**
 * The lifecycle of one upstream key of a provider's pool, as the admin API left it. Never the
 * secret: a key added at run time keeps its reference (`env:NAME`), which each replica resolves
 * itself; config keys keep the config's reference for the record.
 */
export interface ProviderKeyRow {
  provider: string;
  label: string;
  /** The secret reference; null in mock mode. */
  ref: string | null;
  source: 'config' | 'admin';
  state: ProviderKeyLifecycle;
  weight: number;
  createdAtMs: number | null;
  /** Store-wide, assigned in write order: a higher version was written later. */
  version: number;
  updatedAtMs: number;
  actor: string;
}

/** One gateway process's report on the pool state it runs with. */
export interface PoolReplica {
  /** Random per process. */
  replicaId: string;
  /** The highest `ProviderKeyRow.version` it has applied. */
  appliedVersion: number;
  /** Calls in flight on keys that are not active, by `provider/label`; none listed is none. */
  busy: Record<string, number>;
  seenAtMs: number;
}

export interface ProviderKeyStore {
  /** The highest version of any row, 0 with none: the cheap read every poll starts with. */
  providerKeysVersion(): Promise<number>;
  /** Every row, by provider and label. */
  listProviderKeys(): Promise<ProviderKeyRow[]>;
  /**
   * Writes one key's row (insert or replace) with the next version, only if the provider's
   * version (its highest row version, 0 with none) is still `expectedVersion`. Returns the row
   * written, or undefined when another write to that provider came first (nothing written).
   */
  putProviderKey(
    row: Omit<ProviderKeyRow, 'version'>,
    expectedVersion: number,
  ): Promise<ProviderKeyRow | undefined>;
  /** Records (replaces) a replica's report. */
  reportPoolReplica(replica: PoolReplica): Promise<void>;
  /** Replicas that reported at or after `sinceMs`. */
  listPoolReplicas(sinceMs: number): Promise<PoolReplica[]>;
}

/** What the anomaly detector counts per subject (src/policy/anomaly/). */
export type AnomalyMetric = 'requests' | 'spend' | 'refusals' | 'auth_failures';

/** An amount to add to one counter's time bucket. */
export interface AnomalyDelta {
  /** A key id, `env:<env>`, `ip:<address>` or `prefix:<key prefix>`. */
  subject: string;
  metric: AnomalyMetric;
  /** Start of the bucket, in ms since the epoch. */
  bucketMs: number;
  amount: number;
}

/** One counter as the store holds it: the newest bucket's total and the baseline before it. */
export interface AnomalyCounter {
  subject: string;
  metric: AnomalyMetric;
  bucketMs: number;
  /** Sum over every replica of what was added to `bucketMs`. */
  bucketValue: number;
  /** EWMA of earlier buckets' totals (only buckets with traffic count). */
  mean: number;
  /** EWMA variance of the same. */
  variance: number;
  /** Buckets folded into the baseline. */
  samples: number;
}

export type AnomalyKind =
  'spend_spike' | 'request_spike' | 'new_network' | 'auth_probing' | 'guard_refusals';

/** A raised anomaly: ids, prefixes and numbers only, never a key secret or request text. */
export interface AnomalyAlert {
  kind: AnomalyKind;
  /** What it is about: a key id, `env:<env>`, `ip:<address>` or `prefix:<key prefix>`. */
  subject: string;
  /** Raised once per kind, subject and window (a cooldown period, or the new network). */
  window: string;
  atMs: number;
  keyId: string | null;
  keyPrefix: string | null;
  env: Environment | null;
  /** `suspend` when the key was suspended (a key kill switch), else `alert`. */
  action: 'alert' | 'suspend';
  /** The bucket's total so far (micro-dollars, requests, refusals, failures); 0 for new_network. */
  observed: number;
  /** The EWMA baseline it was compared to; 0 when none applies. */
  baseline: number;
  /** The value `observed` had to reach. */
  threshold: number;
  /** The network (`/24` or `/64`) of a new_network alert, else null. */
  network: string | null;
}

export interface AnomalyStore {
  /**
   * Adds each delta to its counter, atomically per counter: a delta for a newer bucket first
   * folds the stored bucket into the EWMA baseline (weight `alpha`), so replicas sharing the
   * store build one baseline. A delta for an older bucket than the stored one is dropped.
   * Returns every touched counter as it is afterwards.
   */
  addAnomalyCounts(
    deltas: readonly AnomalyDelta[],
    alpha: number,
    atMs: number,
  ): Promise<AnomalyCounter[]>;
  /** Records that a key was used from a network; `isNew` when it never was, `known` before. */
  addSeenNetwork(
    keyId: string,
    network: string,
    atMs: number,
  ): Promise<{ isNew: boolean; known: number }>;
  /** Stores the alert unless one exists for the same kind, subject and window; true if new. */
  recordAnomalyAlert(alert: AnomalyAlert): Promise<boolean>;
  /** Whether an alert of that kind, subject and window is stored (acknowledging checks it). */
  hasAnomalyAlert(key: Pick<AnomalyAlert, 'kind' | 'subject' | 'window'>): Promise<boolean>;
  /** Newest first. */
  listAnomalyAlerts(query: { sinceMs?: number; limit?: number }): Promise<AnomalyAlert[]>;
  /** Drops counters not touched since `beforeMs` (idle keys, one-off addresses). */
  pruneAnomalyCounters(beforeMs: number): Promise<number>;
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

export interface Store
  extends KeyStore, AuditStore, PolicyStore, ProviderKeyStore, AnomalyStore, ConsoleStore {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Where the rows live, without credentials: the SQLite file's absolute path (`:memory:` for a
   * private in-memory database), or `postgres://host:port/database#schema`. Two stores with the
   * same location hold the same rows.
   */
  readonly location: string;
  /** Applies pending migrations; safe to call from several processes at once. */
  migrate(): Promise<void>;
  /** Round-trip check for health endpoints. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** An operator's acknowledgement of one alert of any kind (`budget`, `anomaly`, …). */
export interface AlertAck {
  /** The alert family, e.g. `budget`. */
  kind: string;
  /** Unique within its kind, e.g. a budget alert's `budget/window/threshold`. */
  alertId: string;
  /** The admin token's label (the operator event's actor). */
  actor: string;
  atMs: number;
}

/** A console session as stored: the SHA-256 of its token, never the token itself. */
export interface ConsoleSessionRecord {
  /** Hex SHA-256 of the cookie's session token (256 random bits, so no pepper is needed). */
  tokenHash: string;
  role: 'admin' | 'viewer';
  label: string;
  createdAtMs: number;
  lastSeenMs: number;
  /** The session ends then unless used again (idle timeout, capped by its maximum age). */
  expiresAtMs: number;
}

/** One time range of the audit log, summed by the store in buckets of `bucketMs`. */
export interface AuditOverviewQuery {
  /** Inclusive. */
  sinceMs: number;
  /** Exclusive. */
  untilMs: number;
  bucketMs: number;
  /** Entries per top list. */
  topN: number;
  /** The newest guard decisions listed. */
  recentGuard: number;
}

export interface AuditOverviewBucket {
  /** `floor((timeMs - sinceMs) / bucketMs)`. */
  index: number;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costMicroUsd: number;
}

export interface AuditTopEntry {
  name: string;
  requests: number;
  costMicroUsd: number;
}

export interface AuditGuardCategory {
  stage: string;
  action: string;
  type: string | null;
  requests: number;
}

export interface AuditGuardDecision {
  requestId: string;
  timeMs: number;
  stage: string;
  action: string;
  type: string | null;
}

/**
 * What the console's overview shows, aggregated in the database: memory and rows returned are
 * bounded by the number of buckets, latency classes and the limits asked, never by the table.
 */
export interface AuditOverview {
  /** Only buckets with requests, by index. */
  series: AuditOverviewBucket[];
  /**
   * Latency histogram, by `fromMs`: exact to the millisecond under 1 s, then classes 1 %
   * wide (10 ms to 10 s, 100 ms to 100 s, 1 s beyond). `maxMs` is the largest latency in it.
   */
  latency: { fromMs: number; maxMs: number; requests: number }[];
  /** By key prefix (key id when none), model, end user and team; most requests first. */
  top: {
    keys: AuditTopEntry[];
    models: AuditTopEntry[];
    users: AuditTopEntry[];
    teams: AuditTopEntry[];
  };
  /** Requests with an error code, by code, most first. */
  refusals: { code: string; status: number; requests: number }[];
  /** Guard decisions other than `allow` (stage `guard_*`), by stage, action and type. */
  guardByCategory: AuditGuardCategory[];
  /** The newest guard decisions, newest first: request ids and categories, never text. */
  guardRecent: AuditGuardDecision[];
}

/** The console's own state: alert acknowledgements, sessions, and the overview's sums. */
export interface ConsoleStore {
  /** Records the acknowledgement unless that alert has one already; true if new. */
  acknowledgeAlert(ack: AlertAck): Promise<boolean>;
  /** Whether that budget alert was raised (what a budget alert's acknowledgement names). */
  hasBudgetAlert(alert: Pick<BudgetAlert, 'budget' | 'window' | 'thresholdPct'>): Promise<boolean>;
  /** The acknowledgements of these alerts of one kind (those that have one). */
  listAlertAcks(kind: string, alertIds: readonly string[]): Promise<AlertAck[]>;
  insertConsoleSession(session: ConsoleSessionRecord): Promise<void>;
  findConsoleSession(tokenHash: string): Promise<ConsoleSessionRecord | undefined>;
  /** Moves a session's last use and expiry; false when it is gone (signed out elsewhere). */
  touchConsoleSession(tokenHash: string, lastSeenMs: number, expiresAtMs: number): Promise<boolean>;
  /** Returns false when no such session exists. */
  deleteConsoleSession(tokenHash: string): Promise<boolean>;
  /** Deletes sessions expired at `nowMs`, then all but the `keep` most recently used. */
  purgeConsoleSessions(nowMs: number, keep: number): Promise<void>;
  summarizeAudit(query: AuditOverviewQuery): Promise<AuditOverview>;
}
