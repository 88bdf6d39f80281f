import { parseArgs } from 'node:util';
import { ADMIN_FLAGS, adminClient, reportAdminError } from '../admin-client.js';
import { UsageError, type CliCommand } from '../command.js';

const USAGE = 'usage: bastion killswitch set <global|env NAME|provider ID|key ID> --reason TEXT';

/** `global`, or a scope and its target, from positionals. */
export function killSwitchTarget(positionals: string[], usage: string): string {
  const [scope, target] = positionals;
  if (scope === 'global' && positionals.length === 1) return 'global/*';
  if (
    scope !== undefined &&
    ['env', 'provider', 'key'].includes(scope) &&
    target !== undefined &&
    positionals.length === 2
  ) {
    return `${scope}/${encodeURIComponent(target)}`;
  }
  throw new UsageError(usage);
}

export const command: CliCommand = {
  name: 'killswitch set',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { ...ADMIN_FLAGS, reason: { type: 'string' } },
      allowPositionals: true,
    });
    const path = killSwitchTarget(positionals, USAGE);
    if (values.reason === undefined || values.reason.trim() === '') throw new UsageError(USAGE);
    const result = await adminClient(values, io)('PUT', `/admin/killswitch/${path}`, {
      reason: values.reason,
    });
    if (result.status !== 200) return reportAdminError(io, result);
    io.stdout.write(
      values.json ? `${JSON.stringify(result.body)}\n` : `kill switch engaged: ${path}\n`,
    );
    return 0;
  },
};
