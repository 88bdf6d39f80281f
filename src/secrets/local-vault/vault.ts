import { randomBytes } from 'node:crypto';
import { Secret } from '../../log/secret.js';
import { systemClock, type Clock } from '../../util/clock.js';
import { secretError } from '../errors.js';
import { aad, computeMac, macMatches, openValue, sealValue } from './envelope.js';
import { readVaultText, withVaultLock, writeVaultText } from './file-io.js';
import { vaultFileSchema, type VaultFile } from './format.js';
import type { KeyEncryptionKey } from './kek.js';

const VAULT_NAME = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;

export interface VaultListing {
  name: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface LocalVault {
  get(name: string): Promise<{ secret: Secret; version: number }>;
  /** Adds or replaces a value (a new data key and version each time). */
  put(name: string, value: string): Promise<{ version: number; isNew: boolean }>;
  remove(name: string): Promise<boolean>;
  list(): Promise<VaultListing[]>;
}

/**
 * The encrypted local vault: one JSON file of envelopes. Every operation reads the file afresh
 * and checks it whole (KEK id, MAC over every entry, then the entry's own GCM tags) before
 * using anything in it; a failed check is refused, never repaired.
 */
export function openLocalVault(
  deps: { kek: KeyEncryptionKey; clock?: Clock },
  opts: { path: string },
): LocalVault {
  // Long by design: the vault's operations share the open file, the KEK and the integrity state.
  const { kek } = deps;
  const clock = deps.clock ?? systemClock;
  const { path } = opts;

  async function load(): Promise<{ file: VaultFile; macKey: Buffer } | undefined> {
    const text = await readVaultText(path);
    if (text === undefined) return undefined;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw secretError(
        'secret_vault_tampered',
        path,
        'the vault file is not valid JSON; restore it from a backup',
      );
    }
    const parsed = vaultFileSchema.safeParse(doc);
    if (!parsed.success)
      throw secretError(
        'secret_vault_tampered',
        path,
        'the file is not an intact Bastion vault; restore it from a backup',
      );
    const file = parsed.data;
    if (file.kekId !== kek.id) {
      throw secretError(
        'secret_vault_wrong_key',
        path,
        `the vault was sealed with key-encryption key ${file.kekId}, not ${kek.id}; supply the KEK it was created with`,
      );
    }
    const macKey = await kek.unwrap(file.macKey, aad.macKey()).catch((err: unknown) => {
      throw secretError(
        'secret_vault_tampered',
        path,
        'the vault header was altered; it was not used',
        err,
      );
    });
    if (!macMatches(file.mac, computeMac(macKey, file))) {
      throw secretError(
        'secret_vault_tampered',
        path,
        'entries were added, removed or altered outside bastion vault; the vault was not used',
      );
    }
    return { file, macKey };
  }

  async function save(file: Omit<VaultFile, 'mac'>, macKey: Buffer): Promise<void> {
    const sealed: VaultFile = { ...file, mac: computeMac(macKey, file) };
    await writeVaultText(path, `${JSON.stringify(sealed, null, 2)}\n`);
  }

  async function fresh(): Promise<{ file: VaultFile; macKey: Buffer }> {
    const macKey = randomBytes(32);
    const file: VaultFile = {
      format: 'bastion-vault',
      version: 1,
      kekId: kek.id,
      macKey: await kek.wrap(macKey, aad.macKey()),
      mac: '',
      secrets: {},
    };
    return { file, macKey };
  }

  return {
    async get(name) {
      const ref = `vault:${name}`;
      const loaded = await load();
      if (loaded === undefined)
        throw secretError(
          'secret_not_found',
          ref,
          `no vault at ${path}; add the secret with bastion vault put`,
        );
      const entry = Object.hasOwn(loaded.file.secrets, name)
        ? loaded.file.secrets[name]
        : undefined;
      if (entry === undefined)
        throw secretError(
          'secret_not_found',
          ref,
          'no such name in the vault; add it with bastion vault put',
        );
      const value = await openValue(kek, name, entry).catch((err: unknown) => {
        throw secretError(
          'secret_vault_tampered',
          ref,
          'the entry failed its integrity check; it was not used',
          err,
        );
      });
      return { secret: new Secret(value), version: entry.version };
    },

    put(name, value) {
      if (!VAULT_NAME.test(name))
        return Promise.reject(new RangeError('invalid vault secret name'));
      return withVaultLock(path, async () => {
        const { file, macKey } = (await load()) ?? (await fresh());
        const prev = Object.hasOwn(file.secrets, name) ? file.secrets[name] : undefined;
        const now = new Date(clock.now()).toISOString();
        const version = (prev?.version ?? 0) + 1;
        const entry = await sealValue(kek, name, value, {
          version,
          createdAt: prev?.createdAt ?? now,
          updatedAt: now,
        });
        await save({ ...file, secrets: { ...file.secrets, [name]: entry } }, macKey);
        return { version, isNew: prev === undefined };
      });
    },

    remove(name) {
      return withVaultLock(path, async () => {
        const loaded = await load();
        if (loaded === undefined || !Object.hasOwn(loaded.file.secrets, name)) return false;
        const secrets = { ...loaded.file.secrets };
        delete secrets[name];
        await save({ ...loaded.file, secrets }, loaded.macKey);
        return true;
      });
    },

    async list() {
      const loaded = await load();
      if (loaded === undefined) return [];
      return Object.entries(loaded.file.secrets)
        .map(([name, e]) => ({
          name,
          version: e.version,
          createdAt: e.createdAt,
          updatedAt: e.updatedAt,
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
    },
  };
}
