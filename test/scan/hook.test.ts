import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { command as hookInstall } from '../../src/cli/commands/hook-install.js';
import { command as hookUninstall } from '../../src/cli/commands/hook-uninstall.js';
import { createFakeKeys } from '../fixtures/scan-corpus/fake-keys.js';
import { compileCli, type CompiledCli } from './helpers/compiled-cli.js';
import { createThrowawayRepo, runCommand, type ThrowawayRepo } from './helpers/git-repo.js';

let cli: CompiledCli;
let repo: ThrowawayRepo;
beforeAll(() => {
  cli = compileCli();
});
afterAll(() => cli.remove());
beforeEach(() => {
  repo = createThrowawayRepo();
  repo.write('README.md', '# demo\n');
  repo.commit('init', '2024-01-01T00:00:00Z');
});
afterEach(() => repo.remove());

const keys = createFakeKeys(1234);

/** Runs the compiled `bastion` entry point as a separate process, as a user would. */
function bastion(...args: string[]) {
  return spawnSync(process.execPath, [cli.cliPath, ...args], {
    cwd: repo.dir,
    env: repo.env,
    encoding: 'utf8',
  });
}

/** A real `git commit`: git runs the installed hook. */
function gitCommit(message: string) {
  return spawnSync('git', ['commit', '-q', '-m', message], {
    cwd: repo.dir,
    env: repo.env,
    encoding: 'utf8',
  });
}

const hookPath = () => join(repo.dir, '.git/hooks/pre-commit');

describe('bastion hook install', () => {
  it('installs a hook that blocks a commit staging a secret, and lets a clean one through', () => {
    const install = bastion('hook', 'install');
    expect(install.status).toBe(0);
    expect(install.stdout).toContain('Pre-commit hook installed');
    const script = readFileSync(hookPath(), 'utf8');
    expect(script).toContain(cli.cliPath); // the default: this installation's entry point
    expect(script).toContain(process.execPath);
    expect(statSync(hookPath()).mode & 0o111).not.toBe(0);

    const token = keys['github-token']!().value;
    repo.write('src/leak.ts', `export const token = "${token}";\n`);
    repo.git('add', '-A');
    const blocked = gitCommit('leak a token');
    expect(blocked.status).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toMatch(/src\/leak\.ts:1:\d+ {2}github-token/);
    expect(blocked.stdout + blocked.stderr).not.toContain(token);
    expect(repo.git('rev-list', '--count', 'HEAD').trim()).toBe('1');

    repo.write('src/leak.ts', 'export const token = process.env.GITHUB_TOKEN;\n');
    repo.git('add', '-A');
    const clean = gitCommit('read the token from the environment');
    expect(clean.status).toBe(0);
    expect(repo.git('rev-list', '--count', 'HEAD').trim()).toBe('2');

    const uninstall = bastion('hook', 'uninstall');
    expect(uninstall.status).toBe(0);
    expect(existsSync(hookPath())).toBe(false);
  });

  it('passes extra scan arguments through, e.g. a baseline', async () => {
    repo.write('old.ts', `const k = "${keys['npm-token']!().value}";\n`);
    repo.git('add', '-A');
    expect(bastion('scan', '--staged', '--write-baseline', '.bastion-baseline.json').status).toBe(
      0,
    );
    expect(bastion('hook', 'install', '--', '--baseline', '.bastion-baseline.json').status).toBe(0);
    expect(readFileSync(hookPath(), 'utf8')).toContain("'--baseline' '.bastion-baseline.json'");
    expect(gitCommit('acknowledged key').status).toBe(0);
    const printed = await runCommand(
      hookInstall,
      ['--print', '--cli', cli.cliPath],
      repo.dir,
      repo.env,
    );
    expect(printed.stdout).toMatch(/^#!\/bin\/sh\n# bastion-hook v1/);
  });

  it('keeps a hook it did not write: refuses without --force, chains and restores with it', async () => {
    writeFileSync(hookPath(), '#!/bin/sh\necho "lint ran"\n', { mode: 0o755 });
    const refused = await runCommand(hookInstall, ['--cli', cli.cliPath], repo.dir, repo.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is not Bastion');

    const forced = await runCommand(
      hookInstall,
      ['--force', '--cli', cli.cliPath],
      repo.dir,
      repo.env,
    );
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('Pre-commit hook replaced');
    repo.write('b.txt', 'fine\n');
    repo.git('add', '-A');
    const commit = gitCommit('chained');
    expect(commit.status).toBe(0);
    expect(commit.stdout + commit.stderr).toContain('lint ran');

    const removed = await runCommand(hookUninstall, [], repo.dir, repo.env);
    expect(removed.stdout).toContain('the previous hook is back');
    expect(readFileSync(hookPath(), 'utf8')).toContain('lint ran');
    const again = await runCommand(hookUninstall, [], repo.dir, repo.env);
    expect(again.code).toBe(1);
  });

  it('defers to a hook manager that owns core.hooksPath, and fails closed when the CLI is gone', async () => {
    repo.git('config', 'core.hooksPath', '.husky/_');
    const managed = await runCommand(hookInstall, ['--cli', cli.cliPath], repo.dir, repo.env);
    expect(managed.code).toBe(1);
    expect(managed.stderr).toContain('core.hooksPath');
    repo.git('config', '--unset', 'core.hooksPath');

    const missing = join(repo.dir, 'gone.js');
    writeFileSync(missing, '');
    expect((await runCommand(hookInstall, ['--cli', missing], repo.dir, repo.env)).code).toBe(0);
    const env = { ...repo.env, PATH: '/nonexistent' };
    repo.write('c.txt', 'x\n');
    repo.git('add', '-A');
    spawnSync('rm', [missing]);
    const blocked = spawnSync('/usr/bin/git', ['commit', '-q', '-m', 'no scanner'], {
      cwd: repo.dir,
      env,
      encoding: 'utf8',
    });
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr).toContain('cannot run the scanner');
  });
});
