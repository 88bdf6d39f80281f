import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../command.js';
import { COMMANDS } from '../commands.js';
import { runCli } from '../main.js';

const VALUE = 'sk-cli-vault-canary-2b7e151628aed2a6';

function workspace() {
  const cwd = mkdtempSync(join(tmpdir(), 'bastion-vault-cli-'));
  writeFileSync(join(cwd, 'bastion.yaml'), 'secrets:\n  vault:\n    path: ./vault/bastion.vault\n');
  return {
    cwd,
    vaultPath: join(cwd, 'vault', 'bastion.vault'),
    kek: randomBytes(32).toString('base64'),
  };
}

async function cli(argv: string[], w: { cwd: string }, env: NodeJS.ProcessEnv, input = '') {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    stdin: Readable.from([Buffer.from(input)]),
    env,
    cwd: w.cwd,
  };
  const code = await runCli(argv, COMMANDS, io);
  return { code, out: out.join(''), err: err.join('') };
}

describe('bastion vault put / list / rm', () => {
  it('stores a value read from stdin, lists names only, removes', async () => {
    const w = workspace();
    const env = { BASTION_VAULT_KEK: w.kek };
    const put = await cli(['vault', 'put', 'openai'], w, env, `${VALUE}\n`);
    expect(put).toMatchObject({ code: 0 });
    expect(put.out).toContain('stored vault:openai (version 1)');
    expect((await cli(['vault', 'put', 'openai'], w, env, VALUE)).out).toContain(
      'replaced vault:openai (version 2)',
    );
    const list = await cli(['vault', 'list', '--json'], w, env);
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ name: 'openai', version: 2 })]);
    expect((await cli(['vault', 'list'], w, env)).out).toMatch(
      /^NAME +VERSION +UPDATED\nopenai +2 /,
    );
    expect(statSync(w.vaultPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(w.vaultPath).includes(VALUE)).toBe(false);
    expect((await cli(['vault', 'rm', 'openai'], w, env)).code).toBe(0);
    expect((await cli(['vault', 'rm', 'openai'], w, env)).code).toBe(1);
  });

  it('refuses a value given as an argument, an empty value and a bad name', async () => {
    const w = workspace();
    const env = { BASTION_VAULT_KEK: w.kek };
    const argv = await cli(['vault', 'put', 'openai', VALUE], w, env);
    expect(argv.code).toBe(2);
    expect(argv.err).toContain('stdin');
    expect(argv.err).not.toContain(VALUE);
    expect((await cli(['vault', 'put', 'openai'], w, env, '\n')).code).toBe(2);
    expect((await cli(['vault', 'put', '../x'], w, env, VALUE)).code).toBe(2);
  });

  it('fails clearly without a KEK, with a malformed one, and with the wrong one', async () => {
    const w = workspace();
    const none = await cli(['vault', 'put', 'a'], w, {}, VALUE);
    expect([none.code, none.err]).toEqual([1, expect.stringContaining('env:BASTION_VAULT_KEK')]);
    const bad = await cli(['vault', 'put', 'a'], w, { BASTION_VAULT_KEK: 'c2hvcnQ=' }, VALUE);
    expect(bad.err).toContain('32 bytes in base64');
    await cli(['vault', 'put', 'a'], w, { BASTION_VAULT_KEK: w.kek }, VALUE);
    const wrong = await cli(['vault', 'list'], w, {
      BASTION_VAULT_KEK: randomBytes(32).toString('base64'),
    });
    expect([wrong.code, wrong.err]).toEqual([1, expect.stringContaining('secret_vault_wrong_key')]);
  });

  it('refuses a KEK file stored beside the vault', async () => {
    const w = workspace();
    writeFileSync(
      join(w.cwd, 'bastion.yaml'),
      `secrets:\n  vault:\n    path: ${w.vaultPath}\n    kek: file:${join(w.cwd, 'vault', 'kek')}\n`,
    );
    const res = await cli(['vault', 'put', 'a'], w, {}, VALUE);
    expect([res.code, res.err]).toEqual([1, expect.stringContaining('beside the vault')]);
  });
});
