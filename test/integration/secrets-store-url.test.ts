import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS as commands } from '../../src/cli/commands.js';
import { runCli } from '../../src/cli/main.js';
import { createLocalKek } from '../../src/secrets/local-vault/kek.js';
import { openLocalVault } from '../../src/secrets/local-vault/vault.js';
import { createTestSchema, type TestSchema } from '../helpers/postgres.js';

describe('the PostgreSQL URL from the encrypted vault, for the CLI', () => {
  let pg: TestSchema;
  beforeAll(async () => {
    pg = await createTestSchema('secrets_url');
  });
  afterAll(() => pg.drop());

  it('bastion keys create/list open the store with a vault: URL and never print it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bastion-store-url-'));
    const kek = randomBytes(32);
    const vaultPath = join(dir, 'vault', 'bastion.vault');
    await openLocalVault({ kek: createLocalKek(kek) }, { path: vaultPath }).put(
      'pg-url',
      pg.connectionString,
    );
    const env = {
      BASTION_VAULT_KEK: kek.toString('base64'),
      BASTION_STORES__KIND: 'postgres',
      BASTION_STORES__POSTGRES__URL: 'vault:pg-url',
      BASTION_STORES__POSTGRES__SCHEMA: pg.schema,
      BASTION_SECRETS__VAULT__PATH: vaultPath,
    };
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
      env,
      cwd: dir,
    };
    expect(
      await runCli(['keys', 'create', '--name', 'from-vault', '--env', 'dev'], commands, io),
    ).toBe(0);
    expect(await runCli(['keys', 'list'], commands, io)).toBe(0);
    expect(out.join('')).toContain('from-vault');
    expect(out.join('') + err.join('')).not.toContain(pg.connectionString);
  });
});
