import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { command as scan } from '../../src/cli/commands/scan.js';
import { createFakeKeys } from '../fixtures/scan-corpus/fake-keys.js';
import { createThrowawayRepo, runCommand, type ThrowawayRepo } from './helpers/git-repo.js';

interface Report {
  findings: { ruleId: string; file: string; line: number; commit?: string; authorDate?: string }[];
  stats: { commitsScanned: number };
}

let repo: ThrowawayRepo;
beforeEach(() => {
  repo = createThrowawayRepo();
});
afterEach(() => repo.remove());

const keys = createFakeKeys(4242);

describe('bastion scan --history', () => {
  it('finds a key committed and then deleted, with the commit, author date, file and line', async () => {
    const token = keys['github-token']!().value;
    repo.write('README.md', '# demo\n');
    repo.commit('init', '2024-01-02T03:04:05Z');
    repo.write(
      'src/config.ts',
      `export const config = {\n  region: 'eu',\n  token: '${token}',\n};\n`,
    );
    const added = repo.commit('add config', '2024-02-03T04:05:06Z');
    repo.write(
      'src/config.ts',
      `export const config = {\n  region: 'eu',\n  token: process.env.GH_TOKEN,\n};\n`,
    );
    repo.commit('read the token from the environment', '2024-03-04T05:06:07Z');

    const tree = await runCommand(scan, [], repo.dir, repo.env);
    expect(tree.code).toBe(0); // gone from the working tree...

    const run = await runCommand(scan, ['--history', '--format', 'json'], repo.dir, repo.env);
    expect(run.code).toBe(1); // ...but not from history
    const report = JSON.parse(run.stdout) as Report;
    expect(report.findings).toEqual([
      expect.objectContaining({
        ruleId: 'github-token',
        file: 'src/config.ts',
        line: 3,
        commit: added,
        authorDate: '2024-02-03T04:05:06+00:00',
      }),
    ]);
    expect(report.stats.commitsScanned).toBe(3);
    expect(run.stdout).not.toContain(token);
  });

  it('reports only the commit that first added a secret to a file', async () => {
    const pem = keys['private-key']!().value;
    repo.write('a.txt', 'start\n');
    repo.commit('init', '2024-01-01T00:00:00Z');
    repo.write('keys/deploy.pem', `${pem}\n`);
    const first = repo.commit('add key', '2024-01-02T00:00:00Z');
    repo.write('keys/deploy.pem', '');
    repo.commit('remove key', '2024-01-03T00:00:00Z');
    repo.write('keys/deploy.pem', `# restored\n${pem}\n`);
    repo.commit('restore key', '2024-01-04T00:00:00Z');
    const run = await runCommand(scan, ['--history', '--format', 'json'], repo.dir, repo.env);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.findings.map((f) => [f.ruleId, f.file, f.line, f.commit])).toEqual([
      ['private-key', 'keys/deploy.pem', 1, first],
    ]);
  });

  it('limits the scan to a revision range', async () => {
    repo.write('a.txt', `key = "${keys['npm-token']!().value}"\n`);
    const first = repo.commit('leak', '2024-01-01T00:00:00Z');
    repo.write('b.txt', 'clean\n');
    repo.commit('clean', '2024-01-02T00:00:00Z');
    const after = await runCommand(
      scan,
      ['--history', '--range', `${first}..HEAD`, '--format', 'json'],
      repo.dir,
      repo.env,
    );
    expect(after.code).toBe(0);
    expect((JSON.parse(after.stdout) as Report).stats.commitsScanned).toBe(1);
    const all = await runCommand(
      scan,
      ['--history', '--range', 'HEAD', '--format', 'json'],
      repo.dir,
      repo.env,
    );
    expect(all.code).toBe(1);
  });

  it('treats a repository without commits as clean, and a folder outside git as a usage error', async () => {
    const empty = await runCommand(scan, ['--history'], repo.dir, repo.env);
    expect(empty.code).toBe(0);
    const outside = await runCommand(scan, ['--history', '..'], repo.dir, repo.env);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('not inside a git work tree');
  });
});
