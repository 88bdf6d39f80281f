import { join, relative } from 'node:path';
import { COMMIT_MARKER, createDiffParser, type DiffSink } from './diff-parser.js';
import { findRepoRoot, GitError, runGit, streamGitLines, type GitContext } from './git.js';
import { rawFinding, type SourceContext } from './source.js';
import { createTextScanner, type TextScanner } from './text-scanner.js';
import type { RawFinding } from './types.js';
import { toPosix } from './walk.js';

/** Patch options shared by both git sources: added lines only, stable paths, no helpers. */
const PATCH_ARGS = [
  '--no-color',
  '--no-ext-diff',
  '--no-textconv',
  '--unified=0',
  '--src-prefix=a/',
  '--dst-prefix=b/',
  '--diff-filter=d',
  '-M',
];

interface Commit {
  sha: string;
  authorDate: string;
}

/**
 * Feeds each run of added lines to its own text scanner (so a PEM block added in one piece
 * is seen whole) and turns repository paths into paths relative to the working directory.
 */
function createSink(ctx: SourceContext, root: string, onCommit: (c: Commit) => void) {
  let commit: Commit | undefined;
  let scanner: TextScanner | undefined;
  let file = '';
  const emit = (f: RawFinding): void => ctx.emit(f);

  const sink: DiffSink = {
    onCommit(sha, authorDate) {
      commit = { sha, authorDate };
      onCommit(commit);
    },
    onFile(path) {
      file = toPosix(relative(ctx.cwd, join(root, path)));
      if (ctx.isPathAllowed(file)) {
        ctx.stats.skippedAllowedPath++;
        return false;
      }
      ctx.stats.filesScanned++;
      return true;
    },
    onAddedLine(_path, lineNo, text) {
      ctx.stats.bytesScanned += text.length + 1;
      if (scanner !== undefined) {
        scanner.push(`\n${text}`);
        return;
      }
      const at = commit === undefined ? {} : { commit: commit.sha, authorDate: commit.authorDate };
      const where = file;
      scanner = createTextScanner(ctx.detector, (s) => emit(rawFinding(s, where, at)), {
        firstLine: lineNo,
      });
      scanner.push(text);
    },
    onRunEnd() {
      scanner?.end();
      scanner = undefined;
    },
  };
  return sink;
}

async function repoContext(ctx: SourceContext): Promise<{ git: GitContext; root: string }> {
  const git = { cwd: ctx.cwd, env: ctx.env };
  const root = await findRepoRoot(git);
  if (root === undefined) throw new GitError(`${ctx.cwd} is not inside a git work tree`);
  return { git, root };
}

/** `--staged`: what `git commit` would record now (the index against HEAD). */
export async function scanStagedChanges(ctx: SourceContext): Promise<void> {
  const { git, root } = await repoContext(ctx);
  const parser = createDiffParser(createSink(ctx, root, () => {}));
  await streamGitLines(git, ['diff', '--cached', ...PATCH_ARGS], (l) => parser.line(l));
  parser.end();
}

async function hasHead(git: GitContext): Promise<boolean> {
  try {
    await runGit(git, ['rev-parse', '--verify', '--quiet', 'HEAD']);
    return true;
  } catch {
    return false;
  }
}

/**
 * `--history`: every commit reachable from HEAD (or in `range`), oldest first, so the first
 * time a secret is seen in a file is the commit that added it there. Later sightings of the
 * same secret in the same file are not reported again.
 */
export async function scanGitHistory(ctx: SourceContext, range?: string): Promise<void> {
  if (range?.startsWith('-') === true) throw new GitError(`not a revision range: ${range}`);
  const { git, root } = await repoContext(ctx);
  if (range === undefined && !(await hasHead(git))) return; // no commits yet
  const rev = range ?? 'HEAD';
  const total = Number((await runGit(git, ['rev-list', '--count', rev, '--'])).trim());
  ctx.progress.start(total);
  const seen = new Set<string>();
  const first: SourceContext = {
    ...ctx,
    emit(f) {
      const key = `${f.fingerprint}\0${f.file}`;
      if (seen.has(key)) return;
      seen.add(key);
      ctx.emit(f);
    },
  };
  const parser = createDiffParser(
    createSink(first, root, () => {
      ctx.stats.commitsScanned++;
      ctx.progress.update(ctx.stats.commitsScanned, ctx.stats.bytesScanned);
    }),
  );
  const format = `--format=${COMMIT_MARKER}%H %aI`;
  await streamGitLines(git, ['log', '-p', '--reverse', format, ...PATCH_ARGS, rev, '--'], (l) =>
    parser.line(l),
  );
  parser.end();
  ctx.progress.finish();
}
