import { parseArgs } from 'node:util';
import { ADMIN_FLAGS, adminClient, printRows, reportAdminError } from '../admin-client.js';
import type { CliCommand } from '../command.js';
import type { KillSwitch } from '../../store/types.js';

export const command: CliCommand = {
  name: 'killswitch list',
  async run(args, io) {
    const { values } = parseArgs({ args, options: ADMIN_FLAGS });
    const result = await adminClient(values, io)('GET', '/admin/killswitch');
    if (result.status !== 200) return reportAdminError(io, result);
    printRows(io, values.json, (result.body as { data: KillSwitch[] }).data, (k) =>
      [`${k.scope}:${k.target}`, new Date(k.createdAtMs).toISOString(), k.actor, k.reason].join(
        '\t',
      ),
    );
    return 0;
  },
};
