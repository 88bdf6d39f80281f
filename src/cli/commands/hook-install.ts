import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { installHook, locateHook, renderHookScript } from '../../scan/hook.js';
import { UsageError, type CliIo } from '../command.js';
import { hookCommand } from './hook-shared.js';

const USAGE = `Usage: bastion hook install [--force] [--print] [-- SCAN_ARGS…]

Adds a git pre-commit hook that runs \`bastion scan --staged\` and blocks a commit that
adds a secret. SCAN_ARGS are passed to the scan (e.g. -- --baseline .bastion-baseline.json).

  --force        replace an existing pre-commit hook (it is kept and still runs first)
  --print        print the hook script instead of installing it
  --cli PATH     CLI entry point the hook runs (default: this installation's)
  --node PATH    node binary the hook uses (default: the one running now)

With husky, lefthook or pre-commit, add \`bastion scan --staged\` to their config instead
(see docs/scan.md).
`;

const OPTIONS = {
  force: { type: 'boolean' },
  print: { type: 'boolean' },
  cli: { type: 'string' },
  node: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** dist/cli/commands/hook-install.js → dist/cli/index.js, the `bastion` bin. */
const DEFAULT_CLI = fileURLToPath(new URL('../index.js', import.meta.url));

async function cliPathOf(given: string | undefined, cwd: string): Promise<string> {
  const path = given !== undefined ? resolve(cwd, given) : DEFAULT_CLI;
  try {
    await access(path);
  } catch {
    throw new UsageError(`cannot find the CLI entry point ${path}; pass --cli PATH`);
  }
  return path;
}

async function execute(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout.write(USAGE);
    return 0;
  }
  const script = renderHookScript({
    nodePath: values.node ?? process.execPath,
    cliPath: await cliPathOf(values.cli, io.cwd),
    scanArgs: positionals,
  });
  if (values.print === true) {
    io.stdout.write(script);
    return 0;
  }
  const target = await locateHook({ cwd: io.cwd, env: io.env });
  if (target.hooksPathSetting !== undefined && values.force !== true) {
    io.stderr.write(
      `bastion hook install: core.hooksPath is set to ${target.hooksPathSetting}, so another tool ` +
        `manages the hooks. Add \`bastion scan --staged\` to its pre-commit (see docs/scan.md), ` +
        `or rerun with --force to write ${target.hookPath}.\n`,
    );
    return 1;
  }
  const outcome = await installHook(target, script, values.force === true);
  if (outcome === 'foreign-hook') {
    io.stderr.write(
      `bastion hook install: ${target.hookPath} exists and is not Bastion's; rerun with --force ` +
        `to keep it as ${target.backupPath} and run it before the scan.\n`,
    );
    return 1;
  }
  io.stdout.write(`Pre-commit hook ${outcome}: ${target.hookPath}\n`);
  return 0;
}

export const command = hookCommand('hook install', execute);
