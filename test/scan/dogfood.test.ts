import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/spawn.js';

// The scanner runs on its own repository, as a contributor's pre-commit hook would. Test
// canaries are acknowledged by fingerprint in .bastion-scan.json (each with its reason) or by
// an inline `bastion:allow` marker; anything else key-shaped that lands here fails this test.
const repo = resolve(import.meta.dirname, '../..');

function scan(args: string[]): { status: number | null; out: string } {
  const run = spawnSync(process.execPath, [CLI, 'scan', ...args, '--quiet'], {
    cwd: repo,
    encoding: 'utf8',
  });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

describe('bastion scan on its own repository', () => {
  it('finds nothing in the working tree', () => {
    const { status, out } = scan(['.']);
    expect(out).toContain('No secrets found');
    expect(status).toBe(0);
  });

  it('finds nothing in the git history', () => {
    const { status, out } = scan(['--history']);
    expect(out).toContain('No secrets found');
    expect(status).toBe(0);
  });
});
