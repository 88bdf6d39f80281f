import { parseArgs } from 'node:util';
import type { CliCommand } from '../command.js';
import { CONFIG_FLAGS } from '../config-flags.js';
import { withStore } from '../store-access.js';

export const command: CliCommand = {
  name: 'keys list',
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { ...CONFIG_FLAGS, json: { type: 'boolean', default: false } },
    });
    const keys = await withStore(values, io, (store) => store.listKeys());
    const now = Date.now();
    const rows = keys.map(({ hash: _hash, ...rest }) => ({
      ...rest,
      state:
        rest.revokedAtMs !== null
          ? 'revoked'
          : rest.expiresAtMs !== null && rest.expiresAtMs <= now
            ? 'expired'
            : 'active',
    }));
    if (values.json) {
      io.stdout.write(`${JSON.stringify(rows)}\n`);
      return 0;
    }
    for (const r of rows) {
      const expires = r.expiresAtMs === null ? '-' : new Date(r.expiresAtMs).toISOString();
      io.stdout.write(
        `${r.id}\t${r.prefix}…\t${r.env}\t${r.state}\t${r.name}\texpires ${expires}\n`,
      );
    }
    return 0;
  },
};
