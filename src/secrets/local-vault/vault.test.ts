import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openValue } from './envelope.js';
import type { VaultFile } from './format.js';
import { createLocalKek } from './kek.js';
import { openLocalVault } from './vault.js';

const kek = createLocalKek(randomBytes(32));

function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-vault-'));
  const path = join(dir, 'sub', 'bastion.vault');
  return { dir, path, vault: openLocalVault({ kek }, { path }) };
}

const readDoc = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as VaultFile;
const writeDoc = (path: string, doc: unknown) => writeFileSync(path, JSON.stringify(doc));

describe('local vault', () => {
  it('puts, gets, lists and removes; versions count up', async () => {
    const { vault } = fresh();
    expect(await vault.list()).toEqual([]);
    expect(await vault.put('openai', 'sk-vault-value-0001')).toEqual({ version: 1, isNew: true });
    expect(await vault.put('openai', 'sk-vault-value-0002')).toEqual({ version: 2, isNew: false });
    await vault.put('anthropic', 'sk-ant-vault-value');
    const got = await vault.get('openai');
    expect([got.secret.reveal(), got.version]).toEqual(['sk-vault-value-0002', 2]);
    expect((await vault.list()).map((e) => [e.name, e.version])).toEqual([
      ['anthropic', 1],
      ['openai', 2],
    ]);
    expect(await vault.remove('openai')).toBe(true);
    expect(await vault.remove('openai')).toBe(false);
    await expect(vault.get('openai')).rejects.toMatchObject({ code: 'secret_not_found' });
  });

  it('writes the file atomically with mode 0600 and keeps no value in clear', async () => {
    const { path, vault } = fresh();
    await vault.put('openai', 'sk-vault-clear-canary-77');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(path, '..'))).toEqual(['bastion.vault']);
    const bytes = readFileSync(path);
    expect(bytes.includes('sk-vault-clear-canary-77')).toBe(false);
    expect(bytes.includes(Buffer.from('sk-vault-clear-canary-77').toString('base64'))).toBe(false);
  });

  it('reports a missing vault file as secret_not_found', async () => {
    const { vault } = fresh();
    await expect(vault.get('x')).rejects.toMatchObject({ code: 'secret_not_found' });
  });

  it('refuses a flipped ciphertext byte', async () => {
    const { path, vault } = fresh();
    await vault.put('a', 'value-a-123456789');
    const doc = readDoc(path);
    const data = Buffer.from(doc.secrets.a!.data, 'base64');
    data[0] = (data[0] as number) ^ 0x01;
    doc.secrets.a!.data = data.toString('base64');
    writeDoc(path, doc);
    await expect(vault.get('a')).rejects.toMatchObject({ code: 'secret_vault_tampered' });
    await expect(vault.list()).rejects.toMatchObject({ code: 'secret_vault_tampered' });
    await expect(vault.put('b', 'x-123456789')).rejects.toMatchObject({
      code: 'secret_vault_tampered',
    });
  });

  it('refuses a flipped byte anywhere in the file', async () => {
    const { path, vault } = fresh();
    await vault.put('a', 'value-a-123456789');
    const original = readFileSync(path);
    for (let i = 0; i < original.length; i += 7) {
      const copy = Buffer.from(original);
      copy[i] = (copy[i] as number) ^ 0x04;
      writeFileSync(path, copy);
      const result = await vault.get('a').then(
        (r) => r.secret.reveal(),
        (err: { code: string }) => err.code,
      );
      // A flip in JSON whitespace or key spelling case may leave the content intact; anything else is refused.
      expect([
        'value-a-123456789',
        'secret_vault_tampered',
        'secret_vault_wrong_key',
        'secret_not_found',
      ]).toContain(result);
      if (result === 'value-a-123456789')
        expect(JSON.parse(copy.toString())).toEqual(JSON.parse(original.toString()));
    }
  });

  it('detects entries swapped between names (MAC, and AAD on the entry itself)', async () => {
    const { path, vault } = fresh();
    await vault.put('a', 'value-a-123456789');
    await vault.put('b', 'value-b-123456789');
    const doc = readDoc(path);
    const entryA = doc.secrets.a!;
    [doc.secrets.a, doc.secrets.b] = [doc.secrets.b!, entryA];
    writeDoc(path, doc);
    await expect(vault.get('a')).rejects.toMatchObject({ code: 'secret_vault_tampered' });
    // Even with a valid MAC, the name is bound into both ciphertexts.
    await expect(openValue(kek, 'b', entryA)).rejects.toThrow();
  });

  it('detects an entry removed or copied outside the CLI', async () => {
    const { path, vault } = fresh();
    await vault.put('a', 'value-a-123456789');
    await vault.put('b', 'value-b-123456789');
    const doc = readDoc(path);
    delete doc.secrets.b;
    writeDoc(path, doc);
    await expect(vault.get('a')).rejects.toMatchObject({ code: 'secret_vault_tampered' });
  });

  it('tells a wrong KEK apart from tampering, and a forged KEK id is still refused', async () => {
    const { path, vault } = fresh();
    await vault.put('a', 'value-a-123456789');
    const other = openLocalVault({ kek: createLocalKek(randomBytes(32)) }, { path });
    const err = (await other.get('a').catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('secret_vault_wrong_key');
    expect(err.message).toContain('key-encryption key');
    await expect(other.put('b', 'value-b-12345678')).rejects.toMatchObject({
      code: 'secret_vault_wrong_key',
    });
    const otherKek = createLocalKek(randomBytes(32));
    writeDoc(path, { ...readDoc(path), kekId: otherKek.id });
    await expect(openLocalVault({ kek: otherKek }, { path }).get('a')).rejects.toMatchObject({
      code: 'secret_vault_tampered',
    });
  });

  it('refuses a file that is not a vault', async () => {
    const { path, vault } = fresh();
    await vault.put('a', 'value-a-123456789');
    writeFileSync(path, '{"format":"bastion-vault"');
    await expect(vault.get('a')).rejects.toMatchObject({ code: 'secret_vault_tampered' });
    writeFileSync(path, '{"format":"other"}');
    await expect(vault.list()).rejects.toMatchObject({ code: 'secret_vault_tampered' });
  });

  it('a held lock makes a second writer fail with a clear error instead of losing a write', async () => {
    const { path, vault } = fresh();
    await vault.put('a', 'value-a-123456789');
    writeFileSync(`${path}.lock`, '');
    const err = (await vault.put('b', 'value-b-1234567').catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('.lock');
    expect((await vault.list()).map((e) => e.name)).toEqual(['a']);
  });
});
