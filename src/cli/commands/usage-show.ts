import { parseArgs } from 'node:util';
import { ADMIN_FLAGS, adminClient, reportAdminError } from '../admin-client.js';
import { isoTime, printList, usd, type Column } from '../output.js';
import { UsageError, type CliCommand } from '../command.js';

interface SpendRow {
  keyId: string | null;
  userId: string | null;
  team: string | null;
  env: string | null;
  costMicroUsd: number;
}

const USAGE_COLUMNS: readonly Column<SpendRow>[] = [
  ['KEY', (r) => r.keyId ?? '-'],
  ['USER', (r) => r.userId ?? '-'],
  ['TEAM', (r) => r.team ?? '-'],
  ['ENV', (r) => r.env ?? '-'],
  ['SPEND', (r) => usd(r.costMicroUsd)],
];

export const command: CliCommand = {
  name: 'usage show',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { ...ADMIN_FLAGS, since: { type: 'string' } } });
    let query = '';
    if (values.since !== undefined) {
      const sinceMs = parseSince(values.since, Date.now());
      if (sinceMs === undefined) {
        throw new UsageError('--since must be a duration like 7d, 12h, 90m or a past ISO date');
      }
      query = `?sinceMs=${sinceMs}`;
    }
    const result = await adminClient(values, io)('GET', `/admin/usage${query}`);
    if (result.status !== 200) return reportAdminError(io, result);
    const body = result.body as { totalMicroUsd: number; sinceMs: number; data: SpendRow[] };
    printList(io, {
      json: values.json,
      rows: body.data,
      columns: USAGE_COLUMNS,
      empty: `no spend found since ${isoTime(body.sinceMs)}`,
    });
    if (!values.json && body.data.length > 0) {
      io.stdout.write(`total since ${isoTime(body.sinceMs)}: ${usd(body.totalMicroUsd)}\n`);
    }
    return 0;
  },
};

/** `7d`, `12h`, `90m` ago, or a past ISO date → epoch ms. */
function parseSince(value: string, nowMs: number): number | undefined {
  const rel = /^(\d{1,6})([dhm])$/.exec(value);
  const at =
    rel !== null
      ? nowMs -
        Number(rel[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[rel[2] as 'd' | 'h' | 'm']
      : Date.parse(value);
  return Number.isNaN(at) || at > nowMs ? undefined : Math.max(0, Math.floor(at));
}
