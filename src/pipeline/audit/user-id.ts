import { createHmac } from 'node:crypto';
import { callerExcerpt } from '../../log/excerpt.js';
import { secretError } from '../../secrets/errors.js';
import type { SecretResolver } from '../../secrets/types.js';

/** Below this an HMAC key could be guessed offline from the pseudonyms in the table. */
const MIN_KEY_BYTES = 32;
/** Derives the pseudonym key from the chain key, so one secret serves both, never the same key. */
const DERIVE_LABEL = 'bastion/audit/user-id/v1';
/** 128 bits of the HMAC: collisions between end users stay out of reach. */
const HASH_HEX_CHARS = 32;
const READABLE_CHARS = 24;

/**
 * What an end user an app names (the `user` field, the end-user header, Anthropic
 * `metadata.user_id`) becomes before limits, budgets and the audit log see it: `u_` and a keyed
 * HMAC-SHA-256, so a caller that puts an email or a key there stores neither. Deterministic
 * under one key, so rows of every replica and restart correlate and per-user budgets are
 * rebuilt from the audit log. Undefined when no key is configured: the id is then used for
 * limits only and never stored.
 */
export type EndUserPseudonym = (named: string) => string | undefined;

export interface UserIdOptions {
  /** Also keep a scrubbed, bounded readable excerpt after the hash (`u_<hash>~<excerpt>`). */
  readable: boolean;
}

export function createEndUserPseudonym(
  key: Buffer | undefined,
  opts: UserIdOptions,
): EndUserPseudonym {
  if (key === undefined) return () => undefined;
  return function endUserPseudonym(named) {
    const hash = createHmac('sha256', key).update(named, 'utf8').digest('hex');
    const id = `u_${hash.slice(0, HASH_HEX_CHARS)}`;
    return opts.readable ? `${id}~${callerExcerpt(named, READABLE_CHARS)}` : id;
  };
}

/**
 * The pseudonym key: `audit.userIdKey` when set, else one derived from `audit.chainKey`, else
 * none. Both are secret references, so every replica and restart resolves the same bytes.
 */
export async function configuredUserIdKey(
  refs: { userIdKey?: string | undefined; chainKey?: string | undefined },
  secrets: Pick<SecretResolver, 'handle'>,
): Promise<Buffer | undefined> {
  const ref = refs.userIdKey ?? refs.chainKey;
  if (ref === undefined) return undefined;
  const handle = await secrets.handle(ref, { component: 'audit:user-id' });
  const secret = Buffer.from(handle.current().reveal(), 'utf8');
  if (secret.length < MIN_KEY_BYTES) {
    throw secretError(
      'secret_unavailable',
      ref,
      `the audit user-id key needs at least ${MIN_KEY_BYTES} bytes; generate one with: openssl rand -base64 32`,
    );
  }
  if (refs.userIdKey !== undefined) return secret;
  return createHmac('sha256', secret).update(DERIVE_LABEL).digest();
}
