import { parseArgs } from 'node:util';
import { UsageError, type CliCommand } from '../command.js';
import { CONFIG_FLAGS } from '../config-flags.js';
import { openCliVault } from './vault-shared.js';

export const command: CliCommand = {
  name: 'vault list',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { ...CONFIG_FLAGS, json: { type: 'boolean' } },
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new UsageError('usage: bastion vault list [--json]');
    const { vault } = await openCliVault(values, io);
    const entries = await vault.list();
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify(entries)}\n`);
      return 0;
    }
    if (entries.length === 0) {
      io.stderr.write('the vault is empty; add a secret with: bastion vault put NAME\n');
      return 0;
    }
    const width = Math.max(4, ...entries.map((e) => e.name.length));
    io.stdout.write(`${'NAME'.padEnd(width)}  VERSION  UPDATED\n`);
    for (const e of entries) {
      io.stdout.write(`${e.name.padEnd(width)}  ${String(e.version).padEnd(7)}  ${e.updatedAt}\n`);
    }
    return 0;
  },
};
