import { parseArgs } from 'node:util';
import { ADMIN_FLAGS, adminClient, reportAdminError } from '../admin-client.js';
import { UsageError, type CliCommand } from '../command.js';
import { AdminCallError, usageSince } from './providers-shared.js';

const USAGE = 'usage: bastion providers verify <provider> --key LABEL --since ISO|1h';

/** `--since 1h` (ago) or an ISO date. */
function parseSince(value: string, nowMs: number): number {
  const rel = /^(\d{1,6})([dhm])$/.exec(value);
  if (rel !== null) {
    return nowMs - Number(rel[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[rel[2] as 'd'];
  }
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new UsageError(USAGE);
  return at;
}

/** The rotation playbook's last step on its own: did this key carry requests since a time? */
export const command: CliCommand = {
  name: 'providers verify',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { ...ADMIN_FLAGS, key: { type: 'string' }, since: { type: 'string' } },
      allowPositionals: true,
    });
    const provider = positionals[0];
    if (provider === undefined || values.key === undefined || values.since === undefined) {
      throw new UsageError(USAGE);
    }
    const sinceMs = parseSince(values.since, Date.now());
    let byKey: Record<string, number>;
    try {
      ({ byKey } = await usageSince(adminClient(values, io), provider, sinceMs));
    } catch (err) {
      if (err instanceof AdminCallError) return reportAdminError(io, err);
      throw err;
    }
    const count = byKey[values.key] ?? 0;
    const since = new Date(sinceMs).toISOString();
    io.stdout.write(
      values.json
        ? `${JSON.stringify({ provider, key: values.key, sinceMs, requests: count, byKey })}\n`
        : `${values.key} carried ${count} request(s) since ${since}${count === 0 ? ': unused' : ''}\n`,
    );
    return count === 0 ? 0 : 1;
  },
};
