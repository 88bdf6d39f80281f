import { parseArgs } from 'node:util';
import { UsageError, type CliCommand } from '../command.js';
import { CONFIG_FLAGS } from '../config-flags.js';
import { openCliVault, readSecretInput, vaultName } from './vault-shared.js';

const USAGE =
  'usage: printf %s "$VALUE" | bastion vault put NAME   (the value is read from stdin, never from arguments)';

export const command: CliCommand = {
  name: 'vault put',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { ...CONFIG_FLAGS },
      allowPositionals: true,
    });
    const name = vaultName(positionals, USAGE);
    const value = await readSecretInput(io.stdin ?? process.stdin, io.stderr);
    if (value.trim() === '') throw new UsageError('the value is empty; nothing was stored');
    const { vault, path } = await openCliVault(values, io);
    const { version, isNew } = await vault.put(name, value);
    io.stdout.write(
      `${isNew ? 'stored' : 'replaced'} vault:${name} (version ${version}) in ${path}\n`,
    );
    return 0;
  },
};
