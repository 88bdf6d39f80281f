import { dirname, resolve as resolvePath } from 'node:path';
import type { Clock } from '../../util/clock.js';
import { secretError } from '../errors.js';
import type { CredentialReader, SecretSource } from '../types.js';
import { createLocalKek, parseKekSecret, type KeyEncryptionKey } from './kek.js';
import { openLocalVault } from './vault.js';

/** Supplies the KEK; a KMS hook is any function returning a `KeyEncryptionKey`. */
export type KekProvider = () => Promise<KeyEncryptionKey>;

/**
 * A KEK read from an `env:` or `file:` reference (default `env:BASTION_VAULT_KEK`). A `file:`
 * KEK in the vault's own directory is refused: the key must never sit beside the data.
 */
export function createRefKekProvider(
  readCredential: CredentialReader,
  opts: { kekRef: string; vaultPath: string },
): KekProvider {
  if (opts.kekRef.startsWith('file:')) {
    const kekDir = dirname(resolvePath(opts.kekRef.slice('file:'.length)));
    if (kekDir === dirname(resolvePath(opts.vaultPath))) {
      throw secretError(
        'secret_unavailable',
        opts.kekRef,
        'the key-encryption key must not be stored beside the vault; move it to another directory or use env:',
      );
    }
  }
  return async function kekFromRef() {
    const key = parseKekSecret(await readCredential(opts.kekRef, 'secrets:vault'));
    if (key === undefined) {
      throw secretError(
        'secret_unavailable',
        opts.kekRef,
        'the key-encryption key must be 32 bytes in base64; generate one with: openssl rand -base64 32',
      );
    }
    try {
      return createLocalKek(key);
    } finally {
      key.fill(0);
    }
  };
}

/** `vault:NAME`: the encrypted local vault. The file is read on every fetch, so reload sees `vault put`. */
export function createLocalVaultSource(
  deps: { kek: KekProvider; clock?: Clock },
  opts: { path: string },
): SecretSource<'vault'> {
  let kek: Promise<KeyEncryptionKey> | undefined;
  return {
    scheme: 'vault',
    async resolve(ref) {
      kek ??= deps.kek().catch((err: unknown) => {
        kek = undefined;
        throw err;
      });
      const vault = openLocalVault(
        { kek: await kek, ...(deps.clock ? { clock: deps.clock } : {}) },
        opts,
      );
      const { secret, version } = await vault.get(ref.name);
      return { secret, version: String(version) };
    },
    reset() {
      kek = undefined;
    },
  };
}
