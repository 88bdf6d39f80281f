import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runGit, type GitContext } from './git.js';

/** First line after the shebang of every hook we write; how we recognise our own hook. */
export const HOOK_MARKER = '# bastion-hook v1';
const BACKUP_SUFFIX = '.bastion-backup';

export interface HookTarget {
  readonly hookPath: string;
  readonly backupPath: string;
  /** Set when `core.hooksPath` points elsewhere (husky, lefthook, a shared folder). */
  readonly hooksPathSetting?: string;
}

export interface HookCommand {
  /** Node binary recorded at install time; the script falls back to `node` on PATH. */
  readonly nodePath: string;
  /** CLI entry point recorded at install time; the script falls back to `npx --no-install bastion`. */
  readonly cliPath: string;
  /** Extra `bastion scan` arguments, e.g. `--baseline .bastion-baseline.json`. */
  readonly scanArgs: readonly string[];
}

/** POSIX shell single-quoting. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function posixPath(path: string): string {
  return process.platform === 'win32' ? path.replace(/\\/g, '/') : path;
}

/**
 * The hook: runs a previous hook kept aside by `--force`, then `bastion scan --staged`
 * through the CLI recorded at install time, or through `npx --no-install bastion` when that
 * file is gone. When neither can run, the commit is refused: a guard that cannot decide
 * does not wave the change through.
 */
export function renderHookScript(cmd: HookCommand): string {
  const args = ['scan', '--staged', ...cmd.scanArgs].map(shellQuote).join(' ');
  return `#!/bin/sh
${HOOK_MARKER}: installed by \`bastion hook install\`; remove with \`bastion hook uninstall\`.
# Blocks the commit when \`bastion scan --staged\` finds a secret in the staged changes.
# To commit anyway, knowingly: git commit --no-verify
previous="$(dirname "$0")/pre-commit${BACKUP_SUFFIX}"
if [ -x "$previous" ]; then "$previous" "$@" || exit $?; fi
node_bin=${shellQuote(posixPath(cmd.nodePath))}
cli=${shellQuote(posixPath(cmd.cliPath))}
if [ -f "$cli" ]; then
  [ -x "$node_bin" ] || node_bin=node
  exec "$node_bin" "$cli" ${args}
fi
if command -v npx >/dev/null 2>&1; then
  exec npx --no-install bastion ${args}
fi
echo "bastion: cannot run the scanner ($cli is gone, no npx); reinstall with 'bastion hook install' or commit with --no-verify" >&2
exit 1
`;
}

export function isBastionHook(text: string): boolean {
  return text.split('\n', 3).some((line) => line.startsWith(HOOK_MARKER));
}

/** Where git looks for the pre-commit hook of the repository containing `ctx.cwd`. */
export async function locateHook(ctx: GitContext): Promise<HookTarget> {
  const hooksDir = resolve(
    ctx.cwd,
    (await runGit(ctx, ['rev-parse', '--git-path', 'hooks'])).trim(),
  );
  const hookPath = join(hooksDir, 'pre-commit');
  let setting: string | undefined;
  try {
    setting = (await runGit(ctx, ['config', '--get', 'core.hooksPath'])).trim() || undefined;
  } catch {
    setting = undefined; // exit 1: not set
  }
  return {
    hookPath,
    backupPath: hookPath + BACKUP_SUFFIX,
    ...(setting !== undefined ? { hooksPathSetting: setting } : {}),
  };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export type InstallOutcome = 'installed' | 'updated' | 'replaced' | 'foreign-hook';

/**
 * Writes the hook. An existing hook that is not ours is kept: refused without `force`, moved
 * aside (and still run first) with it.
 */
export async function installHook(
  target: HookTarget,
  script: string,
  force: boolean,
): Promise<InstallOutcome> {
  const current = await readIfExists(target.hookPath);
  let outcome: InstallOutcome = 'installed';
  if (current !== undefined && isBastionHook(current)) outcome = 'updated';
  else if (current !== undefined) {
    if (!force || (await exists(target.backupPath))) return 'foreign-hook';
    await rename(target.hookPath, target.backupPath);
    outcome = 'replaced';
  }
  await mkdir(join(target.hookPath, '..'), { recursive: true });
  await writeFile(target.hookPath, script, 'utf8');
  await chmod(target.hookPath, 0o755);
  return outcome;
}

export type UninstallOutcome = 'removed' | 'restored' | 'absent' | 'foreign-hook';

/** Removes our hook only, and puts back a hook that `install --force` moved aside. */
export async function uninstallHook(target: HookTarget): Promise<UninstallOutcome> {
  const current = await readIfExists(target.hookPath);
  if (current === undefined) return 'absent';
  if (!isBastionHook(current)) return 'foreign-hook';
  await rm(target.hookPath);
  if (!(await exists(target.backupPath))) return 'removed';
  await rename(target.backupPath, target.hookPath);
  return 'restored';
}
