import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { command as scan } from '../../src/cli/commands/scan.js';
import { createFakeKeys } from '../fixtures/scan-corpus/fake-keys.js';
import { createThrowawayRepo, runCommand, type ThrowawayRepo } from './helpers/git-repo.js';

interface Report {
  findings: { ruleId: string; file: string; fingerprint: string }[];
  stats: {
    suppressedInline: number;
    suppressedAllowList: number;
    suppressedBaseline: number;
    skippedAllowedPath: number;
  };
}

let repo: ThrowawayRepo;
beforeEach(() => {
  repo = createThrowawayRepo();
});
afterEach(() => repo.remove());

const keys = createFakeKeys(2718);

async function report(args: string[]): Promise<{ code: number; report: Report }> {
  const run = await runCommand(scan, [...args, '--format', 'json'], repo.dir, repo.env);
  return { code: run.code, report: JSON.parse(run.stdout) as Report };
}

describe('allow-lists, inline markers and the baseline', () => {
  it('does not report an allow-listed fingerprint, from the config file or a flag', async () => {
    repo.write(
      'a.ts',
      `const a = "${keys['github-token']!().value}";\nconst b = "${keys['npm-token']!().value}";\n`,
    );
    const first = await report([]);
    expect(first.code).toBe(1);
    const gh = first.report.findings.find((f) => f.ruleId === 'github-token')!.fingerprint;
    const npm = first.report.findings.find((f) => f.ruleId === 'npm-token')!.fingerprint;

    repo.write(
      '.bastion-scan.json',
      JSON.stringify({ allow: { fingerprints: [{ fingerprint: gh, reason: 'test fixture' }] } }),
    );
    const viaConfig = await report([]);
    expect(viaConfig.report.findings.map((f) => f.ruleId)).toEqual(['npm-token']);
    expect(viaConfig.report.stats.suppressedAllowList).toBe(1);

    const viaFlag = await report(['--allow-fingerprint', npm]);
    expect(viaFlag.code).toBe(0);
    expect(viaFlag.report.findings).toEqual([]);
  });

  it('allows by path and by rule', async () => {
    repo.write('fixtures/keys.txt', `${keys['npm-token']!().value}\n`);
    repo.write('src/jwt.ts', `const t = "${keys.jwt!().value}";\n`);
    const byPath = await report(['--allow-path', 'fixtures/', '--allow-rule', 'jwt']);
    expect(byPath.code).toBe(0);
    expect(byPath.report.stats.skippedAllowedPath).toBe(1);
  });

  it('honours bastion:allow on the line', async () => {
    repo.write(
      'a.py',
      `TOKEN = "${keys['github-token']!().value}"  # bastion:allow test fixture\n`,
    );
    const run = await report([]);
    expect(run.code).toBe(0);
    expect(run.report.stats.suppressedInline).toBe(1);
  });

  it('acknowledges old findings in a baseline without hiding new ones', async () => {
    repo.write('old.ts', `const old = "${keys['stripe-secret-key']!().value}";\n`);
    const written = await runCommand(
      scan,
      ['--write-baseline', '.bastion-baseline.json'],
      repo.dir,
      repo.env,
    );
    expect(written.code).toBe(0);
    const baseline = readFileSync(join(repo.dir, '.bastion-baseline.json'), 'utf8');
    expect(baseline).not.toContain('sk_live_');

    const same = await report(['--baseline', '.bastion-baseline.json']);
    expect(same.code).toBe(0);
    expect(same.report.stats.suppressedBaseline).toBe(1);

    repo.write('new.ts', `const fresh = "${keys['stripe-secret-key']!().value}";\n`);
    const withNew = await report(['--baseline', '.bastion-baseline.json']);
    expect(withNew.code).toBe(1);
    expect(withNew.report.findings.map((f) => f.file)).toEqual(['new.ts']);

    // A config file can name the baseline, so the hook and CI pick it up without flags.
    writeFileSync(
      join(repo.dir, '.bastion-scan.json'),
      JSON.stringify({ baseline: '.bastion-baseline.json' }),
    );
    const viaConfig = await report([]);
    expect(viaConfig.report.findings.map((f) => f.file)).toEqual(['new.ts']);
  });
});
