import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CliCommand, CliIo } from '../../../src/cli/command.js';

export interface ThrowawayRepo {
  readonly dir: string;
  /** Environment isolated from the user's git config (own HOME, no system config). */
  readonly env: NodeJS.ProcessEnv;
  git(...args: string[]): string;
  write(path: string, text: string): void;
  /** Stages everything and commits with a fixed author date; returns the commit id. */
  commit(message: string, date: string): string;
  remove(): void;
}

/** The parent environment minus git's own variables (tests may run inside a git hook). */
export function cleanEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    GIT_CONFIG_NOSYSTEM: '1',
    CI: 'true',
  };
}

export function createThrowawayRepo(): ThrowawayRepo {
  const root = mkdtempSync(join(tmpdir(), 'bastion-scan-repo-'));
  const dir = join(root, 'repo');
  mkdirSync(dir);
  const env = cleanEnv(root);
  const git = (...args: string[]): string =>
    execFileSync('git', args, {
      cwd: dir,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Scan Test');
  git('config', 'user.email', 'scan-test@example.invalid');
  git('config', 'commit.gpgsign', 'false');
  return {
    dir,
    env,
    git,
    write(path, text) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    },
    commit(message, date) {
      git('add', '-A');
      execFileSync('git', ['commit', '-q', '--no-verify', '-m', message], {
        cwd: dir,
        env: { ...env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
      });
      return git('rev-parse', 'HEAD').trim();
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface CapturedRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a CLI command in process with captured output. */
export async function runCommand(
  command: CliCommand,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = { CI: 'true' },
): Promise<CapturedRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
    env,
    cwd,
  };
  const code = await command.run(args, io);
  return { code, stdout, stderr };
}
