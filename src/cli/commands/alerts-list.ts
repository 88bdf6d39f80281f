import { parseArgs } from 'node:util';
import { ADMIN_FLAGS, adminClient, printRows, reportAdminError, usd } from '../admin-client.js';
import type { CliCommand } from '../command.js';

interface AlertRow {
  budget: string;
  window: string;
  thresholdPct: number;
  spentMicroUsd: number;
  limitMicroUsd: number;
  atMs: number;
}

export const command: CliCommand = {
  name: 'alerts list',
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { ...ADMIN_FLAGS, limit: { type: 'string', default: '100' } },
    });
    const limit = /^\d{1,5}$/.test(values.limit) ? values.limit : '100';
    const result = await adminClient(values, io)('GET', `/admin/alerts?limit=${limit}`);
    if (result.status !== 200) return reportAdminError(io, result);
    printRows(io, values.json, (result.body as { data: AlertRow[] }).data, (a) =>
      [
        new Date(a.atMs).toISOString(),
        a.budget,
        a.window,
        `${a.thresholdPct}%`,
        `${usd(a.spentMicroUsd)} of ${usd(a.limitMicroUsd)}`,
      ].join('\t'),
    );
    return 0;
  },
};
