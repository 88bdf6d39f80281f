import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { AuditRecord } from '../../store/types.js';
import type { CliCommand } from '../command.js';
import { formatTable, printList } from '../output.js';
import { AUDIT_COLUMNS, AUDIT_FLAGS, buildAuditQuery } from './audit-query.js';
import { withStore } from '../store-access.js';

export const command: CliCommand = {
  name: 'audit tail',
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        ...AUDIT_FLAGS,
        limit: { type: 'string', default: '20' },
        follow: { type: 'boolean', short: 'f', default: false },
      },
    });
    const query = buildAuditQuery(values, Date.now());
    // --follow --json prints JSON lines: an endless stream cannot be one array.
    const widths: number[] = [];
    let printed = 0;
    const print = (rows: AuditRecord[]) => {
      if (values.follow && values.json) {
        for (const r of rows) io.stdout.write(`${JSON.stringify(r)}\n`);
      } else if (values.follow) {
        if (rows.length > 0)
          io.stdout.write(formatTable(rows, AUDIT_COLUMNS, { header: printed === 0, widths }));
      } else {
        printList(io, {
          json: values.json,
          rows,
          columns: AUDIT_COLUMNS,
          empty: 'no audit records found',
        });
      }
      printed += rows.length;
    };
    await withStore(
      values,
      io,
      async (store) => {
        let rows = (await store.queryAudit(query)).reverse();
        print(rows);
        const seen = new Set(rows.map((r) => r.requestId));
        let sinceMs = rows.at(-1)?.timeMs ?? query.sinceMs ?? Date.now();
        while (values.follow) {
          await delay(1_000);
          rows = (await store.queryAudit({ ...query, sinceMs, limit: 10_000 })).reverse();
          const fresh = rows.filter((r) => !seen.has(r.requestId));
          print(fresh);
          for (const r of fresh) seen.add(r.requestId);
          sinceMs = rows.at(-1)?.timeMs ?? sinceMs;
        }
      },
      { mustExist: true },
    );
    return 0;
  },
};
