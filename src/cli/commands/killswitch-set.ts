import { parseArgs } from 'node:util';
import { ADMIN_FLAGS, adminClient, reportAdminError } from '../admin-client.js';
import { UsageError, type CliCommand } from '../command.js';
import { AdminCallError } from './providers-shared.js';
import { killPath, parseKillTarget, resolveKillTarget } from './killswitch-target.js';

const USAGE =
  'usage: bastion killswitch set <global|env NAME|provider ID|key ID|PREFIX> --reason TEXT';

export const command: CliCommand = {
  name: 'killswitch set',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { ...ADMIN_FLAGS, reason: { type: 'string' } },
      allowPositionals: true,
    });
    const parsed = parseKillTarget(positionals, USAGE);
    if (values.reason === undefined || values.reason.trim() === '') throw new UsageError(USAGE);
    const call = adminClient(values, io);
    try {
      const path = killPath(await resolveKillTarget(call, parsed));
      const result = await call('PUT', `/admin/killswitch/${path}`, { reason: values.reason });
      if (result.status !== 200) return reportAdminError(io, result);
      io.stdout.write(
        values.json ? `${JSON.stringify(result.body)}\n` : `kill switch engaged: ${path}\n`,
      );
      return 0;
    } catch (err) {
      if (err instanceof AdminCallError) return reportAdminError(io, err);
      throw err;
    }
  },
};
