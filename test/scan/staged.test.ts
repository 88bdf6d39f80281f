import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { command as scan } from '../../src/cli/commands/scan.js';
import { createFakeKeys } from '../fixtures/scan-corpus/fake-keys.js';
import { createThrowawayRepo, runCommand, type ThrowawayRepo } from './helpers/git-repo.js';

let repo: ThrowawayRepo;
beforeEach(() => {
  repo = createThrowawayRepo();
});
afterEach(() => repo.remove());

const keys = createFakeKeys(31337);

describe('bastion scan --staged', () => {
  it('reports secrets in staged changes at their line in the new file', async () => {
    repo.write('app.ts', 'line 1\nline 2\nline 3\n');
    repo.commit('init', '2024-01-01T00:00:00Z');
    const token = keys['slack-token']!().value;
    repo.write('app.ts', `line 1\nline 2\nconst slack = "${token}";\nline 3\n`);
    repo.git('add', 'app.ts');
    const run = await runCommand(scan, ['--staged', '--format', 'json'], repo.dir, repo.env);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as {
      findings: { ruleId: string; file: string; line: number; commit?: string }[];
    };
    expect(report.findings).toEqual([
      expect.objectContaining({ ruleId: 'slack-token', file: 'app.ts', line: 3 }),
    ]);
    expect(report.findings[0]?.commit).toBeUndefined();
  });

  it('ignores changes that are not staged, and secrets being removed', async () => {
    const token = keys['github-token']!().value;
    repo.write('old.ts', `const t = "${token}";\n`);
    repo.commit('old leak', '2024-01-01T00:00:00Z');
    repo.git('rm', '-q', 'old.ts');
    repo.write('unstaged.ts', `const t = "${keys['npm-token']!().value}";\n`);
    const run = await runCommand(scan, ['--staged'], repo.dir, repo.env);
    expect(run.code).toBe(0);
  });

  it('sees a private key staged in one piece, in a repository without commits', async () => {
    repo.write('id_rsa', `${keys['private-key-openssh']!().value}\n`);
    repo.git('add', 'id_rsa');
    const run = await runCommand(scan, ['--staged'], repo.dir, repo.env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^id_rsa:1:1 {2}private-key /m);
  });

  it('is a usage error outside a repository', async () => {
    const run = await runCommand(scan, ['--staged', '..'], repo.dir, repo.env);
    expect(run.code).toBe(2);
  });
});
