import { lstat, readFile, readdir } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import ignore from 'ignore';
import { findRepoRoot, runGit, type GitContext } from './git.js';

export interface WalkEntry {
  /** Absolute path, for reading. */
  readonly abs: string;
  /** Path relative to the working directory, `/`-separated, for reports and allow-lists. */
  readonly rel: string;
}

export interface WalkOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Honour .gitignore (and git's other excludes) inside folders. */
  readonly respectGitignore: boolean;
}

export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** `git ls-files` knows nested .gitignore files, info/exclude and the global excludes file. */
async function listWithGit(ctx: GitContext): Promise<string[]> {
  const out = await runGit(ctx, [
    'ls-files',
    '-z',
    '--cached',
    '--others',
    '--exclude-standard',
    '--full-name',
    '.',
  ]);
  const root = (await findRepoRoot(ctx)) ?? ctx.cwd;
  return out
    .split('\0')
    .filter((p) => p !== '')
    .map((p) => join(root, p));
}

type Ignore = ReturnType<typeof ignore>;

interface IgnoreScope {
  readonly dir: string;
  readonly rules: Ignore;
}

async function loadGitignore(dir: string): Promise<IgnoreScope | undefined> {
  try {
    const text = await readFile(join(dir, '.gitignore'), 'utf8');
    return { dir, rules: ignore().add(text) };
  } catch {
    return undefined;
  }
}

function isIgnored(scopes: readonly IgnoreScope[], abs: string, isDir: boolean): boolean {
  for (const scope of scopes) {
    const rel = toPosix(relative(scope.dir, abs)) + (isDir ? '/' : '');
    if (scope.rules.ignores(rel)) return true;
  }
  return false;
}

/** Fallback outside git: a directory walk that applies each folder's .gitignore below it. */
async function walkDir(dir: string, scopes: IgnoreScope[], useIgnore: boolean, out: string[]) {
  const own = useIgnore ? await loadGitignore(dir) : undefined;
  const here = own === undefined ? scopes : [...scopes, own];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name === '.git') continue;
    const abs = join(dir, entry.name);
    const isDir = entry.isDirectory();
    if (!isDir && !entry.isFile()) continue; // symlinks, sockets: never followed
    if (useIgnore && isIgnored(here, abs, isDir)) continue;
    if (isDir) await walkDir(abs, here, useIgnore, out);
    else out.push(abs);
  }
}

async function listFolder(dir: string, opts: WalkOptions): Promise<string[]> {
  const ctx = { cwd: dir, env: opts.env };
  if (opts.respectGitignore && (await findRepoRoot(ctx)) !== undefined) {
    return listWithGit(ctx);
  }
  const out: string[] = [];
  await walkDir(dir, [], opts.respectGitignore, out);
  return out;
}

/**
 * The regular files under `paths` (files named directly are always included), deduplicated
 * and sorted. Throws when a named path does not exist.
 */
export async function listFiles(paths: readonly string[], opts: WalkOptions): Promise<WalkEntry[]> {
  const found = new Set<string>();
  for (const p of paths) {
    const abs = resolve(opts.cwd, p);
    const info = await lstat(abs);
    if (info.isFile()) found.add(abs);
    else if (info.isDirectory()) for (const f of await listFolder(abs, opts)) found.add(f);
  }
  return [...found].sort().map((abs) => ({ abs, rel: toPosix(relative(opts.cwd, abs)) || '.' }));
}
