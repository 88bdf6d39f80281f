import { createHmac, hash as sha, randomBytes } from 'node:crypto';
import { decisionOf } from '../../store/row-check.js';
import type { AuditChainLink, AuditRecord } from '../../store/types.js';

/*
 * The audit hash chain (docs/audit.md). Each writer process keeps its own chain: a random id,
 * a sequence number per record and the previous record's hash, so replicas never coordinate.
 * A record's hash covers every audited field plus its chain id, seq and prev hash; with a
 * chain key it is an HMAC, which a database writer without the key cannot recompute.
 */

/** Bumped whenever the canonical encoding changes; it is the first element hashed. */
const ENCODING_VERSION = 'bastion.audit.v1';
/** The `prev_hash` of a chain's first record. */
export const GENESIS_HASH = '0'.repeat(64);
/** Any UTF-16 surrogate: only strings holding one can change on the way through UTF-8. */
const SURROGATE = /[\ud800-\udfff]/;

/** Computes a record's hash from its fields and its place in the chain. */
export type ChainHasher = (record: AuditRecord, place: ChainPlace) => string;

export interface ChainPlace {
  chainId: string;
  seq: number;
  prevHash: string;
}

/** HMAC-SHA-256 under `key` when given, else plain SHA-256. */
export function createChainHasher(key: Buffer | undefined): ChainHasher {
  if (key === undefined) {
    // The one-shot form: half the cost of a Hash object for a short input.
    return (record, place) => sha('sha256', canonicalAuditEncoding(record, place), 'hex');
  }
  return function chainHmac(record, place) {
    return createHmac('sha256', key)
      .update(canonicalAuditEncoding(record, place), 'utf8')
      .digest('hex');
  };
}

/**
 * The bytes hashed: a JSON array in a fixed field order, built so a record as written and as
 * read back from either store encode alike. Timestamps and counts are integers, durations
 * IEEE doubles (both stores keep them exactly, JSON prints the shortest round-trip form),
 * booleans true/false, absent values null and decisions re-built in their fixed key order
 * (JSONB reorders keys). Strings are hashed as given: `link` makes them well-formed first.
 */
export function canonicalAuditEncoding(r: AuditRecord, place: ChainPlace): string {
  return JSON.stringify([
    ENCODING_VERSION,
    place.chainId,
    place.seq,
    place.prevHash,
    r.requestId,
    r.timeMs,
    r.keyId,
    r.keyPrefix,
    r.env,
    r.endpoint,
    r.model,
    r.provider,
    r.upstreamKeyLabel,
    r.status,
    r.errorCode,
    r.promptTokens,
    r.completionTokens,
    r.latencyMs,
    r.upstreamLatencyMs,
    r.clientIp,
    r.isStream,
    r.decisions.map((d) => decisionOf(d) ?? null),
    r.costMicroUsd,
    r.userId,
    r.team,
  ]);
}

/**
 * A lone UTF-16 surrogate (a model name from a caller's JSON may hold one) has no UTF-8 form:
 * PostgreSQL stores one U+FFFD for it, SQLite three. Replaced before hashing and storing, the
 * string then reads back from either store as hashed.
 */
function wellFormed<T extends string | null>(value: T): T {
  return value !== null && SURROGATE.test(value)
    ? (Buffer.from(value, 'utf8').toString('utf8') as T)
    : value;
}

function wellFormedRecord(r: AuditRecord): AuditRecord {
  const strings = [r.requestId, r.keyId, r.keyPrefix, r.endpoint, r.model, r.provider];
  strings.push(r.upstreamKeyLabel, r.errorCode, r.clientIp, r.userId, r.team);
  for (const d of r.decisions) strings.push(d.stage, d.action, d.type ?? null, d.detail ?? null);
  if (!strings.some((v) => v !== null && SURROGATE.test(v))) return r;
  return {
    ...r,
    requestId: wellFormed(r.requestId),
    keyId: wellFormed(r.keyId),
    keyPrefix: wellFormed(r.keyPrefix),
    endpoint: wellFormed(r.endpoint),
    model: wellFormed(r.model),
    provider: wellFormed(r.provider),
    upstreamKeyLabel: wellFormed(r.upstreamKeyLabel),
    errorCode: wellFormed(r.errorCode),
    clientIp: wellFormed(r.clientIp),
    userId: wellFormed(r.userId),
    team: wellFormed(r.team),
    decisions: r.decisions.map((d) => {
      const copy = { ...d, stage: wellFormed(d.stage), action: wellFormed(d.action) };
      if (d.type !== undefined) copy.type = wellFormed(d.type);
      if (d.detail !== undefined) copy.detail = wellFormed(d.detail);
      return copy;
    }),
  };
}

/** A writer's chain: links records in the order given, one after another. */
export interface AuditChain {
  readonly chainId: string;
  /** Returns a copy of `record` (strings made well-formed) carrying the next link. */
  link(record: AuditRecord): AuditRecord & { chain: AuditChainLink };
}

export function createAuditChain(deps: {
  hash: ChainHasher;
  chainId?: string;
  /** The chain key's id (chain-key.ts), carried in the chain id so verify finds the key. */
  keyId?: string | undefined;
}): AuditChain {
  const chainId = deps.chainId ?? newChainId(deps.keyId);
  let seq = 0;
  let prevHash = GENESIS_HASH;
  return {
    chainId,
    link(record) {
      const clean = wellFormedRecord(record);
      const place = { chainId, seq: seq + 1, prevHash };
      const hash = deps.hash(clean, place);
      seq = place.seq;
      prevHash = hash;
      return withChain(clean, { chainId, seq: place.seq, prevHash: place.prevHash, hash });
    },
  };
}

/**
 * The record with its link, built field by field: a spread copy of a record this wide comes out
 * in V8's slow dictionary mode, costing about 2 µs to make and as much again in every later read
 * of its fields (the spool's JSON, the store's parameters).
 */
function withChain(r: AuditRecord, chain: AuditChainLink): AuditRecord & { chain: AuditChainLink } {
  return {
    requestId: r.requestId,
    timeMs: r.timeMs,
    keyId: r.keyId,
    keyPrefix: r.keyPrefix,
    env: r.env,
    endpoint: r.endpoint,
    model: r.model,
    provider: r.provider,
    upstreamKeyLabel: r.upstreamKeyLabel,
    status: r.status,
    errorCode: r.errorCode,
    promptTokens: r.promptTokens,
    completionTokens: r.completionTokens,
    latencyMs: r.latencyMs,
    upstreamLatencyMs: r.upstreamLatencyMs,
    clientIp: r.clientIp,
    isStream: r.isStream,
    decisions: r.decisions,
    costMicroUsd: r.costMicroUsd,
    userId: r.userId,
    team: r.team,
    chain,
  };
}

/** 128 random bits: two writers never share a chain. Base64url has no '.', the key id's mark. */
function newChainId(keyId: string | undefined): string {
  const id = `ch_${randomBytes(16).toString('base64url')}`;
  return keyId === undefined ? id : `${id}.${keyId}`;
}
