import { parseArgs } from 'node:util';
import { ADMIN_FLAGS, adminClient, printRows, reportAdminError, usd } from '../admin-client.js';
import type { CliCommand } from '../command.js';

interface BudgetRow {
  budget: string;
  window: string;
  limitMicroUsd: number;
  spentMicroUsd: number;
  reservedMicroUsd: number;
  usedPct: number;
}

export const command: CliCommand = {
  name: 'budgets list',
  async run(args, io) {
    const { values } = parseArgs({ args, options: ADMIN_FLAGS });
    const result = await adminClient(values, io)('GET', '/admin/budgets');
    if (result.status !== 200) return reportAdminError(io, result);
    const rows = (result.body as { data: BudgetRow[] }).data;
    printRows(io, values.json, rows, (b) =>
      [
        b.budget,
        b.window,
        `${usd(b.spentMicroUsd)} of ${usd(b.limitMicroUsd)}`,
        `${b.usedPct}%`,
        `reserved ${usd(b.reservedMicroUsd)}`,
      ].join('\t'),
    );
    return 0;
  },
};
