import { parseArgs } from 'node:util';
import { ADMIN_FLAGS, adminClient, reportAdminError } from '../admin-client.js';
import { isoTime, printList, usd, type Column } from '../output.js';
import type { CliCommand } from '../command.js';

interface AlertRow {
  budget: string;
  window: string;
  thresholdPct: number;
  spentMicroUsd: number;
  limitMicroUsd: number;
  atMs: number;
}

const ALERT_COLUMNS: readonly Column<AlertRow>[] = [
  ['TIME', (a) => isoTime(a.atMs)],
  ['BUDGET', (a) => a.budget],
  ['WINDOW', (a) => a.window],
  ['THRESHOLD', (a) => `${a.thresholdPct}%`],
  ['SPENT', (a) => usd(a.spentMicroUsd)],
  ['LIMIT', (a) => usd(a.limitMicroUsd)],
];

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
    const rows = (result.body as { data: AlertRow[] }).data;
    printList(io, { json: values.json, rows, columns: ALERT_COLUMNS, empty: 'no alerts found' });
    return 0;
  },
};
