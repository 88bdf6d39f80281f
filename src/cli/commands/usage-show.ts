import { parseArgs } from 'node:util';
import { ADMIN_FLAGS, adminClient, printRows, reportAdminError, usd } from '../admin-client.js';
import { UsageError, type CliCommand } from '../command.js';

interface SpendRow {
  keyId: string | null;
  userId: string | null;
  team: string | null;
  env: string | null;
  costMicroUsd: number;
}

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
    if (values.json) {
      io.stdout.write(`${JSON.stringify(body)}\n`);
      return 0;
    }
    printRows(io, false, body.data, (r) =>
      [r.keyId ?? '-', r.userId ?? '-', r.team ?? '-', r.env ?? '-', usd(r.costMicroUsd)].join(
        '\t',
      ),
    );
    io.stdout.write(
      `total since ${new Date(body.sinceMs).toISOString()}: ${usd(body.totalMicroUsd)}\n`,
    );
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
