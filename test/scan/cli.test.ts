import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { command as scan } from '../../src/cli/commands/scan.js';
import type { CliIo } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/main.js';
import { defaultSecretRules } from '../../src/detect/secrets/index.js';
import { createFakeKeys, inContext } from '../fixtures/scan-corpus/fake-keys.js';
import { createThrowawayRepo, runCommand } from './helpers/git-repo.js';

let dir = '';
let secrets: string[] = [];

function write(path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bastion-scan-cli-'));
  const keys = createFakeKeys(77);
  const gh = keys['github-token']!().value;
  const pem = keys['private-key']!().value;
  const db = keys['database-url-password']!().value;
  secrets = [gh, pem, db, ...pem.split('\n').slice(1, -1)];
  write('src/config.ts', `export const token = "${gh}";\n`);
  write('deploy/key.pem', `${pem}\n`);
  write('.env', `${inContext('database-url-password', db)}\n`);
  write('README.md', '# nothing secret here\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function expectNoSecret(text: string): void {
  for (const s of secrets) expect(text.includes(s)).toBe(false);
}

describe('bastion scan (files)', () => {
  it('exits 1 and reports file:line, rule and a masked preview', async () => {
    const run = await runCommand(scan, [], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^\.env:1:\d+ {2}database-url-password {2}\S+…\(\d+ chars\) {2}fp:[0-9a-f]{32}$/m,
    );
    expect(run.stdout).toMatch(/^deploy\/key\.pem:1:1 {2}private-key /m);
    expect(run.stdout).toMatch(/^src\/config\.ts:1:23 {2}github-token {2}ghp_…\(40 chars\)/m);
    expect(run.stdout).toContain('3 secrets found in 4 files');
    expectNoSecret(run.stdout + run.stderr);
  });

  it('never prints a secret, in any format or file it writes', async () => {
    for (const format of ['text', 'json', 'sarif']) {
      const run = await runCommand(scan, ['--format', format], dir);
      expect(run.code).toBe(1);
      expectNoSecret(run.stdout + run.stderr);
    }
    const out = await runCommand(
      scan,
      ['-f', 'json', '-o', 'report.json', '--write-baseline', 'base.json'],
      dir,
    );
    expect(out.code).toBe(0);
    expectNoSecret(readFileSync(join(dir, 'base.json'), 'utf8'));
  });

  it('exits 0 on a clean tree', async () => {
    const clean = await runCommand(scan, ['README.md'], dir);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('No secrets found in 1 file');
  });

  it('writes JSON with findings and statistics', async () => {
    const run = await runCommand(scan, ['--format', 'json'], dir);
    const report = JSON.parse(run.stdout) as {
      findings: { ruleId: string; severity: string }[];
      stats: { filesScanned: number };
    };
    expect(report.findings.map((f) => f.ruleId)).toEqual([
      'database-url-password',
      'private-key',
      'github-token',
    ]);
    expect(report.findings.every((f) => f.severity === 'high')).toBe(true);
    expect(report.stats.filesScanned).toBe(4);
  });

  it('skips large files, and files .gitignore excludes unless told otherwise', async () => {
    write('.gitignore', 'deploy/\n');
    const limit = statSync(join(dir, 'src/config.ts')).size;
    expect(statSync(join(dir, '.env')).size).toBeGreaterThan(limit);
    const ignored = await runCommand(
      scan,
      ['--format', 'json', '--max-file-size', String(limit)],
      dir,
    );
    const report = JSON.parse(ignored.stdout) as {
      findings: { file: string }[];
      stats: { skippedTooLarge: number };
    };
    expect(report.findings.map((f) => f.file)).toEqual(['src/config.ts']);
    expect(report.stats.skippedTooLarge).toBe(1);
    const all = await runCommand(scan, ['--format', 'json', '--no-gitignore'], dir);
    expect((JSON.parse(all.stdout) as { findings: unknown[] }).findings).toHaveLength(3);
  });

  it('says what .gitignore hid when a scan of an ignored folder scanned nothing', async () => {
    const repo = createThrowawayRepo();
    try {
      repo.write('.gitignore', 'vendor/\n');
      repo.write('vendor/a.txt', 'one\n');
      repo.write('vendor/b.txt', 'two\n');
      const run = await runCommand(scan, ['vendor'], repo.dir, repo.env);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('in 0 files');
      expect(run.stderr).toContain('hides 2 files under vendor; add --no-gitignore');
      const clean = await runCommand(scan, ['--no-gitignore', 'vendor'], repo.dir, repo.env);
      expect(clean.stderr).toBe('');
    } finally {
      repo.remove();
    }
  });

  it.each([
    [['--bogus'], 'Unknown option'],
    [['--format', 'xml'], '--format must be one of'],
    [['--staged', '--history'], 'cannot be combined'],
    [['--range', 'HEAD~1..HEAD'], '--range needs --history'],
    [['--max-file-size', 'huge'], 'not a size'],
    [['does-not-exist'], 'ENOENT'],
    [['--config', 'missing.json'], 'not readable JSON'],
    [['--baseline', 'missing.json'], 'not readable JSON'],
    [['--staged'], 'not inside a git work tree'],
    [['--output', 'no-such-folder/report.txt'], 'ENOENT'],
  ])('exits 2 on a usage error: %s', async (args, message) => {
    const run = await runCommand(scan, args, dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });

  it('prints help and the rule table', async () => {
    expect((await runCommand(scan, ['--help'], dir)).stdout).toContain('Usage: bastion scan');
    const out: string[] = [];
    const io: CliIo = {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: () => true },
      env: {},
      cwd: dir,
    };
    // Through the CLI entry: `bastion scan --help` printed only the one-line summary.
    expect(await runCli(['scan', '--help'], COMMANDS, io)).toBe(0);
    expect(out.join('')).toContain('Exit codes: 0 clean, 1 secrets found, 2 usage error');
    const rules = await runCommand(scan, ['--list-rules'], dir);
    expect(rules.code).toBe(0);
    for (const rule of defaultSecretRules) expect(rules.stdout).toContain(rule.id);
  });

  it('shows progress on a terminal only, never in CI or with --quiet', async () => {
    const stderrOf = async (isTTY: boolean, env: NodeJS.ProcessEnv, args: string[] = []) => {
      let stderr = '';
      const io: CliIo = {
        stdout: { write: () => true },
        stderr: { write: (t: string) => (stderr += t), isTTY },
        env,
        cwd: dir,
      };
      await scan.run(args, io);
      return stderr;
    };
    expect(await stderrOf(true, {})).toContain('scanning 4/4 files');
    expect(await stderrOf(true, { CI: 'true' })).toBe('');
    expect(await stderrOf(true, {}, ['--quiet'])).toBe('');
    expect(await stderrOf(false, {})).toBe('');
  });
});
