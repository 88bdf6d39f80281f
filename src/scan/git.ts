import { spawn } from 'node:child_process';

/** Options every scanner call passes, so output never depends on the user's git config. */
const STABLE_CONFIG = ['-c', 'core.quotepath=false', '-c', 'color.ui=false'];

export class GitError extends Error {
  override readonly name = 'GitError';
}

export interface GitContext {
  readonly cwd: string;
  /** Passed through: inside a hook, git sets GIT_DIR and GIT_INDEX_FILE for us to honour. */
  readonly env: NodeJS.ProcessEnv;
}

function gitProcess(ctx: GitContext, args: readonly string[]) {
  return spawn('git', [...STABLE_CONFIG, ...args], {
    cwd: ctx.cwd,
    env: ctx.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs git and returns stdout; rejects with a short message on a non-zero exit. */
export function runGit(ctx: GitContext, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = gitProcess(ctx, args);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new GitError(`git could not be started: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else {
        const first = Buffer.concat(err).toString('utf8').split('\n')[0] ?? '';
        reject(new GitError(`git ${args[0] ?? ''} failed: ${first.trim()}`));
      }
    });
  });
}

/** Streams git's stdout line by line into `onLine`, with backpressure. */
export async function streamGitLines(
  ctx: GitContext,
  args: readonly string[],
  onLine: (line: string) => void,
): Promise<void> {
  const child = gitProcess(ctx, args);
  const err: Buffer[] = [];
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (e) => reject(new GitError(`git could not be started: ${e.message}`)));
    child.on('close', resolve);
  });
  // Split on \n only: readline would also split on a lone \r inside a line and shift the
  // line numbers of the file being reported.
  child.stdout.setEncoding('utf8');
  let rest = '';
  for await (const chunk of child.stdout as AsyncIterable<string>) {
    let from = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', from)) {
      onLine(rest + chunk.slice(from, nl));
      rest = '';
      from = nl + 1;
    }
    rest += chunk.slice(from);
  }
  if (rest !== '') onLine(rest);
  const code = await exited;
  if (code !== 0) {
    const first = Buffer.concat(err).toString('utf8').split('\n')[0] ?? '';
    throw new GitError(`git ${args[0] ?? ''} failed: ${first.trim()}`);
  }
}

/** The work tree root containing `ctx.cwd`, or undefined outside a repository. */
export async function findRepoRoot(ctx: GitContext): Promise<string | undefined> {
  try {
    const out = await runGit(ctx, ['rev-parse', '--show-toplevel']);
    const root = out.trim();
    return root === '' ? undefined : root;
  } catch {
    return undefined;
  }
}
