import { hash, randomBytes } from 'node:crypto';
import {
  ENVIRONMENTS,
  type Environment,
  type KeyScopes,
  type VirtualKeyRecord,
} from '../../store/types.js';
import { newId } from '../../util/ids.js';

/** `bk_<env>_<43 base64url chars>`: 256 random bits. */
const KEY_PATTERN = /^bk_(dev|staging|prod|ci)_[A-Za-z0-9_-]{43}$/;
const VISIBLE_SECRET_CHARS = 8;

export interface IssuedKey {
  /** Shown to the operator exactly once; never stored. */
  secret: string;
  record: VirtualKeyRecord;
}

export interface IssueKeyOptions {
  name: string;
  env: Environment;
  nowMs: number;
  expiresAtMs?: number | null;
  scopes?: KeyScopes;
}

export function issueVirtualKey(opts: IssueKeyOptions): IssuedKey {
  const random = randomBytes(32).toString('base64url');
  const secret = `bk_${opts.env}_${random}`;
  return {
    secret,
    record: {
      id: newId('key'),
      name: opts.name,
      env: opts.env,
      prefix: `bk_${opts.env}_${random.slice(0, VISIBLE_SECRET_CHARS)}`,
      hash: hashVirtualKey(secret),
      createdAtMs: opts.nowMs,
      expiresAtMs: opts.expiresAtMs ?? null,
      revokedAtMs: null,
      scopes: opts.scopes ?? {},
    },
  };
}

export function isWellFormedVirtualKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}

/**
 * A bare SHA-256 is enough here: the input carries 256 random bits, so there is nothing to
 * brute-force, and the index lookup by hash reveals nothing about the secret's bytes.
 */
export function hashVirtualKey(secret: string): string {
  // One-shot: no Hash object per request (about half the time of createHash on a short input).
  return hash('sha256', secret, 'hex');
}

export function isEnvironment(value: string): value is Environment {
  return (ENVIRONMENTS as readonly string[]).includes(value);
}
