import { parseArgs } from 'node:util';
import { ADMIN_FLAGS, adminClient, reportAdminError } from '../admin-client.js';
import { printList, type Column } from '../output.js';
import { UsageError, type CliCommand } from '../command.js';
import { AdminCallError, listKeys, type KeyViewDto } from './providers-shared.js';

const COLUMNS: readonly Column<KeyViewDto>[] = [
  ['LABEL', (k) => k.label],
  ['STATE', (k) => k.state],
  ['WEIGHT', (k) => String(k.weight)],
  [
    'AGE',
    (k) =>
      (k.ageDays === null ? '?' : `${k.ageDays}d`) +
      (k.ageWarning === null ? '' : ` (${k.ageWarning})`),
  ],
  ['IN FLIGHT', (k) => String(k.inFlight)],
  ['CALLS', (k) => String(k.calls)],
  ['SUCCESSES', (k) => String(k.successes)],
  ['FAILURES', (k) => String(k.failures)],
  ['CIRCUIT', (k) => k.circuit.state],
  ['SOURCE', (k) => k.source],
];

export const command: CliCommand = {
  name: 'providers list',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: ADMIN_FLAGS,
      allowPositionals: true,
    });
    const provider = positionals[0];
    if (provider === undefined || positionals.length > 1) {
      throw new UsageError('usage: bastion providers list <provider>');
    }
    try {
      const rows = await listKeys(adminClient(values, io), provider);
      printList(io, {
        json: values.json,
        rows,
        columns: COLUMNS,
        empty: `no keys found on ${provider}`,
      });
    } catch (err) {
      if (err instanceof AdminCallError) return reportAdminError(io, err);
      throw err;
    }
    return 0;
  },
};
