import { parseArgs } from 'node:util';
import { ADMIN_FLAGS, adminClient, reportAdminError } from '../admin-client.js';
import { printList, usd, type Column } from '../output.js';
import type { CliCommand } from '../command.js';

interface BudgetRow {
  budget: string;
  window: string;
  limitMicroUsd: number;
  spentMicroUsd: number;
  reservedMicroUsd: number;
  usedPct: number;
}

const BUDGET_COLUMNS: readonly Column<BudgetRow>[] = [
  ['BUDGET', (b) => b.budget],
  ['WINDOW', (b) => b.window],
  ['SPENT', (b) => usd(b.spentMicroUsd)],
  ['LIMIT', (b) => usd(b.limitMicroUsd)],
  ['USED', (b) => `${b.usedPct}%`],
  ['RESERVED', (b) => usd(b.reservedMicroUsd)],
];

export const command: CliCommand = {
  name: 'budgets list',
  async run(args, io) {
    const { values } = parseArgs({ args, options: ADMIN_FLAGS });
    const result = await adminClient(values, io)('GET', '/admin/budgets');
    if (result.status !== 200) return reportAdminError(io, result);
    const rows = (result.body as { data: BudgetRow[] }).data;
    printList(io, { json: values.json, rows, columns: BUDGET_COLUMNS, empty: 'no budgets found' });
    return 0;
  },
};
