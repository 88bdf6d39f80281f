import { parseArgs } from 'node:util';
import { ADMIN_FLAGS, adminClient, reportAdminError } from '../admin-client.js';
import type { CliCommand } from '../command.js';
import { killPath, parseKillTarget } from './killswitch-target.js';

const USAGE = 'usage: bastion killswitch clear <global|env NAME|provider ID|key ID>';

export const command: CliCommand = {
  name: 'killswitch clear',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: ADMIN_FLAGS,
      allowPositionals: true,
    });
    const path = killPath(parseKillTarget(positionals, USAGE));
    const result = await adminClient(values, io)('DELETE', `/admin/killswitch/${path}`);
    if (result.status !== 200) return reportAdminError(io, result);
    const cleared = (result.body as { cleared: boolean }).cleared;
    io.stdout.write(
      values.json
        ? `${JSON.stringify(result.body)}\n`
        : `${cleared ? 'cleared' : 'was not engaged'}: ${path}\n`,
    );
    return 0;
  },
};
