import { parseArgs } from 'node:util';
import type { CliCommand } from '../command.js';
import { CONFIG_FLAGS } from '../config-flags.js';
import { openCliVault, vaultName } from './vault-shared.js';

export const command: CliCommand = {
  name: 'vault rm',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { ...CONFIG_FLAGS },
      allowPositionals: true,
    });
    const name = vaultName(positionals, 'usage: bastion vault rm NAME');
    const { vault } = await openCliVault(values, io);
    if (!(await vault.remove(name))) {
      io.stderr.write(`no secret named ${name} in the vault\n`);
      return 1;
    }
    io.stdout.write(`removed vault:${name}\n`);
    return 0;
  },
};
