import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv } from '../../test/scan/helpers/git-repo.js';
import { listFiles } from './walk.js';

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  root = mkdtempSync(join(tmpdir(), 'bastion-walk-'));
  const dir = join(root, 'work');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const FILES = {
  '.gitignore': 'dist/\n*.log\n',
  'src/a.ts': 'a',
  'src/.gitignore': 'generated.ts\n',
  'src/generated.ts': 'g',
  'dist/out.js': 'o',
  'debug.log': 'l',
  'docs/readme.md': 'r',
};

describe('listFiles', () => {
  it('applies nested .gitignore files outside git', async () => {
    const dir = tree(FILES);
    const files = await listFiles(['.'], { cwd: dir, env: cleanEnv(root), respectGitignore: true });
    expect(files.map((f) => f.rel)).toEqual([
      '.gitignore',
      'docs/readme.md',
      'src/.gitignore',
      'src/a.ts',
    ]);
  });

  it('uses git inside a repository, with the same result', async () => {
    const dir = tree(FILES);
    const env = cleanEnv(root);
    execFileSync('git', ['init', '-q'], { cwd: dir, env });
    const files = await listFiles(['.'], { cwd: dir, env, respectGitignore: true });
    expect(files.map((f) => f.rel)).toEqual([
      '.gitignore',
      'docs/readme.md',
      'src/.gitignore',
      'src/a.ts',
    ]);
    const sub = await listFiles(['src'], { cwd: dir, env, respectGitignore: true });
    expect(sub.map((f) => f.rel)).toEqual(['src/.gitignore', 'src/a.ts']);
  });

  it('lists everything without .gitignore, never .git or symlinks, and always named files', async () => {
    const dir = tree(FILES);
    symlinkSync('/etc/hostname', join(dir, 'link'));
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, '.git/config'), 'x');
    const all = await listFiles(['.'], { cwd: dir, env: cleanEnv(root), respectGitignore: false });
    expect(all.map((f) => f.rel)).toContain('dist/out.js');
    expect(all.map((f) => f.rel)).not.toContain('link');
    expect(all.map((f) => f.rel).some((p) => p.startsWith('.git/'))).toBe(false);
    const named = await listFiles(['debug.log'], {
      cwd: dir,
      env: cleanEnv(root),
      respectGitignore: true,
    });
    expect(named.map((f) => f.rel)).toEqual(['debug.log']);
  });

  it('fails on a path that does not exist', async () => {
    const dir = tree(FILES);
    await expect(
      listFiles(['nope'], { cwd: dir, env: cleanEnv(root), respectGitignore: true }),
    ).rejects.toThrow('ENOENT');
  });
});
