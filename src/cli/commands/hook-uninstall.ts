import { parseArgs } from 'node:util';
import { locateHook, uninstallHook } from '../../scan/hook.js';
import { UsageError, type CliIo } from '../command.js';
import { hookCommand } from './hook-shared.js';

const USAGE = `Usage: bastion hook uninstall

Removes the pre-commit hook \`bastion hook install\` added, and puts back a hook that
\`install --force\` kept aside. A hook Bastion did not write is left alone.
`;

async function execute(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help === true) {
    io.stdout.write(USAGE);
    return 0;
  }
  const target = await locateHook({ cwd: io.cwd, env: io.env });
  const outcome = await uninstallHook(target);
  switch (outcome) {
    case 'absent':
      io.stdout.write(`No pre-commit hook at ${target.hookPath}.\n`);
      return 0;
    case 'foreign-hook':
      io.stderr.write(`bastion hook uninstall: ${target.hookPath} is not Bastion's; left alone.\n`);
      return 1;
    case 'removed':
      io.stdout.write(`Pre-commit hook removed: ${target.hookPath}\n`);
      return 0;
    case 'restored':
      io.stdout.write(`Pre-commit hook removed; the previous hook is back at ${target.hookPath}\n`);
      return 0;
  }
}

export const command = hookCommand('hook uninstall', execute);
