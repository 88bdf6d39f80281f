import { createHash, createHmac } from 'node:crypto';

const FINGERPRINT_DOMAIN = 'bastion-secret-v1';

/**
 * A preview that helps a person recognise a secret without being able to use it: at most
 * the first four characters (fewer for short values) and the length.
 */
export function maskSecret(value: string): string {
  const shown = value.length >= 16 ? 4 : value.length >= 8 ? 2 : 0;
  return `${value.slice(0, shown)}…(${value.length} chars)`;
}

/**
 * A stable identifier of one secret under one rule, for allow-lists and baselines. Without a
 * key it is a domain-separated SHA-256, stable across machines so it can be committed; with a
 * key it is an HMAC, for callers that only correlate within one process.
 */
export function fingerprintSecret(
  ruleId: string,
  secret: string,
  key?: string | Uint8Array,
): string {
  const hash = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  hash.update(FINGERPRINT_DOMAIN).update('\0').update(ruleId).update('\0').update(secret);
  return hash.digest('hex').slice(0, 32);
}
