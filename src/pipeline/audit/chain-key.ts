import { secretError } from '../../secrets/errors.js';
import type { SecretResolver } from '../../secrets/types.js';
import { createChainHasher, type ChainHasher } from './chain.js';

/** Below this an HMAC key could be guessed offline from the hashes in the table. */
const MIN_KEY_BYTES = 32;

/**
 * The hasher `audit.chainKey` asks for: HMAC-SHA-256 under the resolved key, or plain SHA-256
 * when none is configured. The key is read once: chains written under one key verify only
 * with that key, so a reload does not switch it mid-chain.
 */
export async function configuredChainHasher(
  chainKeyRef: string | undefined,
  secrets: Pick<SecretResolver, 'handle'>,
): Promise<ChainHasher> {
  if (chainKeyRef === undefined) return createChainHasher(undefined);
  const handle = await secrets.handle(chainKeyRef, { component: 'audit:chain' });
  const key = Buffer.from(handle.current().reveal(), 'utf8');
  if (key.length < MIN_KEY_BYTES) {
    throw secretError(
      'secret_unavailable',
      chainKeyRef,
      `the audit chain key needs at least ${MIN_KEY_BYTES} bytes; generate one with: openssl rand -base64 32`,
    );
  }
  return createChainHasher(key);
}
