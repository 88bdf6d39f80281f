import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import type { VaultEntry, VaultFile } from './format.js';
import type { KeyEncryptionKey } from './kek.js';

/**
 * Envelope encryption, AES-256-GCM at both levels. Associated data binds every ciphertext to
 * the secret's name (and version), so a ciphertext moved to another name fails to open.
 */
const PREFIX = 'bastion-vault/v1';
export const aad = {
  dataKey: (name: string) => Buffer.from(`${PREFIX}\0data-key\0${name}`),
  value: (name: string, version: number) => Buffer.from(`${PREFIX}\0value\0${name}\0${version}`),
  macKey: () => Buffer.from(`${PREFIX}\0mac-key`),
};

export class EnvelopeOpenError extends Error {
  override readonly name = 'EnvelopeOpenError';
}

export async function sealValue(
  kek: KeyEncryptionKey,
  name: string,
  value: string,
  meta: { version: number; createdAt: string; updatedAt: string },
): Promise<VaultEntry> {
  const dataKey = randomBytes(32);
  try {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', dataKey, iv).setAAD(aad.value(name, meta.version));
    const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return {
      key: await kek.wrap(dataKey, aad.dataKey(name)),
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
      ...meta,
    };
  } finally {
    dataKey.fill(0);
  }
}

/** Opens one entry; throws `EnvelopeOpenError` (or the KEK's unwrap error) when anything was altered. */
export async function openValue(
  kek: KeyEncryptionKey,
  name: string,
  entry: VaultEntry,
): Promise<string> {
  const dataKey = await kek.unwrap(entry.key, aad.dataKey(name));
  try {
    const tag = Buffer.from(entry.tag, 'base64');
    const iv = Buffer.from(entry.iv, 'base64');
    if (tag.length !== 16 || iv.length !== 12 || dataKey.length !== 32)
      throw new EnvelopeOpenError('malformed entry');
    const decipher = createDecipheriv('aes-256-gcm', dataKey, iv)
      .setAAD(aad.value(name, entry.version))
      .setAuthTag(tag);
    const plain = Buffer.concat([
      decipher.update(Buffer.from(entry.data, 'base64')),
      decipher.final(),
    ]);
    return plain.toString('utf8');
  } catch (err) {
    throw err instanceof EnvelopeOpenError ? err : new EnvelopeOpenError('authentication failed');
  } finally {
    dataKey.fill(0);
  }
}

/** HMAC-SHA256 over the KEK id and every entry, in name order. */
export function computeMac(macKey: Buffer, file: Pick<VaultFile, 'kekId' | 'secrets'>): string {
  const names = Object.keys(file.secrets).sort();
  const canonical = JSON.stringify([
    PREFIX,
    file.kekId,
    names.map((n) => {
      const e = file.secrets[n] as VaultEntry;
      return [n, e.key, e.iv, e.tag, e.data, e.version, e.createdAt, e.updatedAt];
    }),
  ]);
  return createHmac('sha256', macKey).update(canonical).digest('base64');
}

export function macMatches(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, 'base64');
  const b = Buffer.from(actual, 'base64');
  return a.length === b.length && timingSafeEqual(a, b);
}
