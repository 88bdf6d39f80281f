import { parseArgs } from 'node:util';
import type { KeyReview } from '../../policy/access-review.js';
import { accessReview } from '../../server/admin/console-routes.js';
import { UsageError, type CliCommand } from '../command.js';
import { CONFIG_FLAGS } from '../config-flags.js';
import { isoTime, plural, printList, type Column } from '../output.js';
import { withStore } from '../store-access.js';

const COLUMNS: readonly Column<KeyReview>[] = [
  ['ID', (r) => r.id],
  ['PREFIX', (r) => `${r.prefix}…`],
  ['ENV', (r) => r.env],
  ['STATE', (r) => r.state],
  ['LAST USED', (r) => isoTime(r.lastUsedMs)],
  ['AGE', (r) => `${r.ageDays}d`],
  ['FINDINGS', (r) => r.findings.join(',')],
];

function days(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,5}$/.test(value)) throw new UsageError(`${flag}: a whole number of days`);
  return Number(value);
}

/**
 * The access review: usable keys unused for N days, without expiry, allowed every model, in
 * prod without an IP range, older than 90 days, or owned by a team the configuration no longer
 * has. Exit 1 when any key is listed, so a scheduled job can alert on it.
 */
export const command: CliCommand = {
  name: 'keys review',
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        ...CONFIG_FLAGS,
        json: { type: 'boolean', default: false },
        'unused-days': { type: 'string' },
        'max-age-days': { type: 'string' },
      },
    });
    const unusedDays = days(values['unused-days'], '--unused-days', 30);
    const maxAgeDays = days(values['max-age-days'], '--max-age-days', 90);
    const reviews = await withStore(
      values,
      io,
      (store, { config }) =>
        accessReview(
          { store, teams: () => new Set(Object.keys(config.policy.teams)) },
          { nowMs: Date.now(), unusedDays, maxAgeDays },
        ),
      { mustExist: true },
    );
    const rows = reviews.filter((r) => r.findings.length > 0);
    printList(io, { json: values.json, rows, columns: COLUMNS, empty: 'no key needs review' });
    if (!values.json && rows.length > 0) {
      io.stderr.write(`${plural(rows.length, 'key')} of ${reviews.length} need review\n`);
    }
    return rows.length > 0 ? 1 : 0;
  },
};
