import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { AuditRecord } from '../../store/types.js';
import type { CliCommand } from '../command.js';
import { AUDIT_FLAGS, buildAuditQuery, formatAuditRow } from './audit-query.js';
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
    const print = (rows: AuditRecord[]) => {
      for (const r of rows)
        io.stdout.write(`${values.json ? JSON.stringify(r) : formatAuditRow(r)}\n`);
    };
    await withStore(values, io, async (store) => {
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
    });
    return 0;
  },
};
