import { parseArgs } from 'node:util';
import { ADMIN_FLAGS, adminClient, reportAdminError } from '../admin-client.js';
import { isoTime, printList, type Column } from '../output.js';
import type { CliCommand } from '../command.js';
import type { KillSwitch } from '../../store/types.js';

const COLUMNS: readonly Column<KillSwitch>[] = [
  ['TARGET', (k) => (k.scope === 'global' ? 'global' : `${k.scope}:${k.target}`)],
  ['SINCE', (k) => isoTime(k.createdAtMs)],
  ['BY', (k) => k.actor],
  ['REASON', (k) => k.reason],
];

export const command: CliCommand = {
  name: 'killswitch list',
  async run(args, io) {
    const { values } = parseArgs({ args, options: ADMIN_FLAGS });
    const result = await adminClient(values, io)('GET', '/admin/killswitch');
    if (result.status !== 200) return reportAdminError(io, result);
    const rows = (result.body as { data: KillSwitch[] }).data;
    printList(io, { json: values.json, rows, columns: COLUMNS, empty: 'no kill switches engaged' });
    return 0;
  },
};
