import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Secret } from '../../log/secret.js';

/**
 * The key-encryption key of the local vault: it wraps each secret's data key and is never
 * stored beside the vault. `createLocalKek` keeps a 32-byte key in memory (from env or a
 * mounted file); a KMS hook implements the same interface by calling its KMS's Encrypt/Decrypt,
 * so the KEK never leaves the KMS.
 */
export interface KeyEncryptionKey {
  /** Not secret: identifies the KEK, so a vault sealed with another one is told apart from tampering. */
  readonly id: string;
  /** Wraps a data key; `aad` binds the result to its use (the secret's name). Returns opaque text. */
  wrap(dataKey: Buffer, aad: Buffer): Promise<string>;
  /** Unwraps, or throws `KekUnwrapError` when the wrapped key or its `aad` was altered. */
  unwrap(wrapped: string, aad: Buffer): Promise<Buffer>;
}

export class KekUnwrapError extends Error {
  override readonly name = 'KekUnwrapError';
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM with a random 96-bit IV; output `v1.<base64(iv | tag | ciphertext)>`. */
export function createLocalKek(key: Buffer): KeyEncryptionKey {
  if (key.length !== 32) throw new RangeError('a key-encryption key is 32 bytes');
  const material = Buffer.from(key);
  // A check value, not the key: HMAC of a constant; it tells a wrong KEK from a tampered file.
  const id = `local:${createHmac('sha256', material).update('bastion-vault-kek-id/v1').digest('hex').slice(0, 16)}`;
  return {
    id,
    wrap(dataKey, aad) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', material, iv).setAAD(aad);
      const ct = Buffer.concat([cipher.update(dataKey), cipher.final()]);
      return Promise.resolve(
        `v1.${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')}`,
      );
    },
    unwrap(wrapped, aad) {
      try {
        if (!wrapped.startsWith('v1.')) throw new KekUnwrapError('unknown wrapped-key format');
        const raw = Buffer.from(wrapped.slice(3), 'base64');
        if (raw.length <= IV_BYTES + TAG_BYTES) throw new KekUnwrapError('wrapped key too short');
        const decipher = createDecipheriv('aes-256-gcm', material, raw.subarray(0, IV_BYTES))
          .setAAD(aad)
          .setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        const out = Buffer.concat([
          decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
          decipher.final(),
        ]);
        return Promise.resolve(out);
      } catch (err) {
        return Promise.reject(
          err instanceof KekUnwrapError ? err : new KekUnwrapError('authentication failed'),
        );
      }
    },
  };
}

/** `BASTION_VAULT_KEK`: 32 bytes in base64 (`openssl rand -base64 32`). */
export function parseKekSecret(secret: Secret): Buffer | undefined {
  const text = secret.reveal().trim();
  if (!/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(text)) return undefined;
  const key = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
  return key.length === 32 ? key : undefined;
}
