import { parseArgs } from 'node:util';
import type { VirtualKeyRecord } from '../../store/types.js';
import type { CliCommand } from '../command.js';
import { CONFIG_FLAGS } from '../config-flags.js';
import { isoTime, printList, type Column } from '../output.js';
import { withStore } from '../store-access.js';

type Row = Omit<VirtualKeyRecord, 'hash'> & { state: 'active' | 'revoked' | 'expired' };

const COLUMNS: readonly Column<Row>[] = [
  ['ID', (r) => r.id],
  ['PREFIX', (r) => `${r.prefix}…`],
  ['ENV', (r) => r.env],
  ['STATE', (r) => r.state],
  ['EXPIRES', (r) => isoTime(r.expiresAtMs)],
  ['NAME', (r) => r.name],
];

export const command: CliCommand = {
  name: 'keys list',
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { ...CONFIG_FLAGS, json: { type: 'boolean', default: false } },
    });
    const keys = await withStore(values, io, (store) => store.listKeys(), { mustExist: true });
    const now = Date.now();
    const rows = keys.map(({ hash: _hash, ...rest }): Row => ({
      ...rest,
      state:
        rest.revokedAtMs !== null
          ? 'revoked'
          : rest.expiresAtMs !== null && rest.expiresAtMs <= now
            ? 'expired'
            : 'active',
    }));
    printList(io, { json: values.json, rows, columns: COLUMNS, empty: 'no keys found' });
    return 0;
  },
};
