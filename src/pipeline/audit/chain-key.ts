import { createHmac } from 'node:crypto';
import { secretError } from '../../secrets/errors.js';
import type { SecretResolver } from '../../secrets/types.js';
import { createChainHasher, type ChainHasher } from './chain.js';

/** Below this an HMAC key could be guessed offline from the hashes in the table. */
const MIN_KEY_BYTES = 32;

/**
 * The audit chain keys: the one new chains are written with, and earlier ones that chains
 * written before a rotation still verify with. A keyed chain's id names its key
 * (`ch_<random>.<keyId>`), so verify picks the key without trying each.
 */
export interface ChainKeyring {
  /** The hasher new chains are written with. */
  readonly current: ChainHasher;
  /** The key id new chain ids carry; undefined when unkeyed (plain SHA-256). */
  readonly currentKeyId: string | undefined;
  /**
   * The hashers a chain may have been written with: the one its id names (none when that key
   * is not configured), or for an id naming no key every configured key, or plain SHA-256 when
   * no key is configured. Never plain SHA-256 beside a key: that would let a database writer
   * re-hash a keyed chain without the key.
   */
  candidates(chainId: string): { keyId: string | undefined; hashers: ChainHasher[] };
}

/**
 * A key's public id: a truncated HMAC of a fixed label under the key. It tells keys apart
 * and reveals nothing about the key.
 */
export function chainKeyId(key: Buffer): string {
  return `k${createHmac('sha256', key).update('bastion.audit.key-id').digest('hex').slice(0, 16)}`;
}

/** The key id a chain id names, if any. */
export function keyIdOfChain(chainId: string): string | undefined {
  const dot = chainId.lastIndexOf('.');
  return dot === -1 ? undefined : chainId.slice(dot + 1);
}

export function createChainKeyring(current: Buffer | undefined, previous: Buffer[]): ChainKeyring {
  const keys = new Map<string, ChainHasher>();
  for (const key of current === undefined ? previous : [current, ...previous]) {
    keys.set(chainKeyId(key), createChainHasher(key));
  }
  const currentKeyId = current === undefined ? undefined : chainKeyId(current);
  const plain = createChainHasher(undefined);
  return {
    current: currentKeyId === undefined ? plain : (keys.get(currentKeyId) as ChainHasher),
    currentKeyId,
    candidates(chainId) {
      const keyId = keyIdOfChain(chainId);
      if (keyId !== undefined) {
        const hasher = keys.get(keyId);
        return { keyId, hashers: hasher === undefined ? [] : [hasher] };
      }
      // Written before chain ids named their key: by a configured key, or unkeyed.
      return { keyId, hashers: keys.size > 0 ? [...keys.values()] : [plain] };
    },
  };
}

/**
 * The keyring `audit.chainKey` and `audit.previousChainKeys` ask for. Keys are read once:
 * chains written under one key verify only with that key, so a reload does not switch it
 * mid-chain; rotating means starting the gateway with the new key (a new chain per process).
 */
export async function configuredChainKeyring(
  refs: { chainKey?: string | undefined; previousChainKeys?: readonly string[] },
  secrets: Pick<SecretResolver, 'handle'>,
): Promise<ChainKeyring> {
  const read = async (ref: string): Promise<Buffer> => {
    const handle = await secrets.handle(ref, { component: 'audit:chain' });
    const key = Buffer.from(handle.current().reveal(), 'utf8');
    if (key.length < MIN_KEY_BYTES) {
      throw secretError(
        'secret_unavailable',
        ref,
        `the audit chain key needs at least ${MIN_KEY_BYTES} bytes; generate one with: openssl rand -base64 32`,
      );
    }
    return key;
  };
  const current = refs.chainKey === undefined ? undefined : await read(refs.chainKey);
  const previous: Buffer[] = [];
  for (const ref of refs.previousChainKeys ?? []) previous.push(await read(ref));
  return createChainKeyring(current, previous);
}
