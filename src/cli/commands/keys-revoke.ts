import { parseArgs } from 'node:util';
import { UsageError, type CliCommand } from '../command.js';
import { CONFIG_FLAGS } from '../config-flags.js';
import { withStore } from '../store-access.js';

export const command: CliCommand = {
  name: 'keys revoke',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { ...CONFIG_FLAGS },
      allowPositionals: true,
    });
    const which = positionals[0];
    if (which === undefined || positionals.length > 1)
      throw new UsageError('usage: bastion keys revoke <id|prefix>');
    const result = await withStore(
      values,
      io,
      async (store) => {
        const key = await store.findKey(which.replace(/…$/, ''));
        if (key === undefined) return 'unknown';
        return (await store.revokeKey(key.id, Date.now()))
          ? `revoked ${key.id}`
          : 'already revoked';
      },
      { mustExist: true },
    );
    if (result === 'unknown') {
      io.stderr.write(`no key with id or prefix ${which}\n`);
      return 1;
    }
    io.stdout.write(`${result}\n`);
    return 0;
  },
};
