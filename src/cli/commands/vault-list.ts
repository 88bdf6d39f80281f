import { parseArgs } from 'node:util';
import { UsageError, type CliCommand } from '../command.js';
import { CONFIG_FLAGS } from '../config-flags.js';
import { printList, type Column } from '../output.js';
import type { VaultListing } from '../../secrets/local-vault/vault.js';
import { openCliVault } from './vault-shared.js';

const COLUMNS: readonly Column<VaultListing>[] = [
  ['NAME', (e) => e.name],
  ['VERSION', (e) => String(e.version)],
  ['UPDATED', (e) => e.updatedAt],
];

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
    printList(io, {
      json: values.json === true,
      rows: entries,
      columns: COLUMNS,
      empty: 'no secrets found in the vault; add one with: bastion vault put NAME',
    });
    return 0;
  },
};
