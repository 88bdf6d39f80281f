import { parseArgs } from 'node:util';
import { ADMIN_FLAGS, adminClient, printRows, reportAdminError } from '../admin-client.js';
import { UsageError, type CliCommand } from '../command.js';
import { AdminCallError, listKeys, type KeyViewDto } from './providers-shared.js';

function line(k: KeyViewDto): string {
  const age = k.ageDays === null ? 'age=?' : `age=${k.ageDays}d`;
  return [
    k.label,
    k.state,
    `weight=${k.weight}`,
    age + (k.ageWarning === null ? '' : ` (${k.ageWarning})`),
    `in_flight=${k.inFlight}`,
    `calls=${k.calls}`,
    `failures=${k.failures}`,
    `circuit=${k.circuit.state}`,
    k.source,
  ].join('\t');
}

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
      printRows(io, values.json, await listKeys(adminClient(values, io), provider), line);
    } catch (err) {
      if (err instanceof AdminCallError) return reportAdminError(io, err);
      throw err;
    }
    return 0;
  },
};
