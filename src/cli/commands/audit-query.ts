import { parseArgs } from 'node:util';
import type { AuditQuery, AuditRecord } from '../../store/types.js';
import { UsageError, type CliCommand } from '../command.js';
import { CONFIG_FLAGS } from '../config-flags.js';
import { isoTime, printList, type Column } from '../output.js';
import { parseExpiry, withStore } from '../store-access.js';

export const AUDIT_FLAGS = {
  ...CONFIG_FLAGS,
  key: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  status: { type: 'string' },
  limit: { type: 'string', default: '100' },
  json: { type: 'boolean', default: false },
} as const;

/** `--since 1h` means one hour ago; an ISO date is taken as is. */
export function buildAuditQuery(
  values: {
    key?: string | undefined;
    since?: string | undefined;
    until?: string | undefined;
    status?: string | undefined;
    limit?: string | undefined;
  },
  nowMs: number,
): AuditQuery {
  const query: AuditQuery = {};
  if (values.key !== undefined) query.keyId = values.key;
  const past = (v: string, flag: string) => {
    const rel = parseExpiry(v, 0);
    const at = /^\d+[dhm]$/.test(v) && rel !== undefined ? nowMs - rel : rel;
    if (at === undefined) throw new UsageError(`${flag} must be an ISO date or a duration like 1h`);
    return at;
  };
  if (values.since !== undefined) query.sinceMs = past(values.since, '--since');
  if (values.until !== undefined) query.untilMs = past(values.until, '--until');
  if (values.status !== undefined) {
    const status = Number(values.status);
    if (!Number.isInteger(status)) throw new UsageError('--status must be an HTTP status code');
    query.status = status;
  }
  const limit = Number(values.limit ?? '100');
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError('--limit must be a positive integer');
  query.limit = limit;
  return query;
}

export const AUDIT_COLUMNS: readonly Column<AuditRecord>[] = [
  ['TIME', (r) => isoTime(r.timeMs)],
  ['REQUEST', (r) => r.requestId],
  ['STATUS', (r) => String(r.status)],
  ['ERROR', (r) => r.errorCode ?? '-'],
  ['KEY', (r) => r.keyPrefix ?? '-'],
  ['ENDPOINT', (r) => r.endpoint],
  ['MODEL', (r) => r.model ?? '-'],
  ['PROVIDER', (r) => r.provider ?? '-'],
  [
    'TOKENS IN/OUT',
    (r) => (r.promptTokens === null ? '-' : `${r.promptTokens}/${r.completionTokens ?? 0}`),
  ],
  ['LATENCY', (r) => `${r.latencyMs.toFixed(1)}ms`],
];

export const command: CliCommand = {
  name: 'audit query',
  async run(args, io) {
    const { values } = parseArgs({ args, options: AUDIT_FLAGS });
    const query = buildAuditQuery(values, Date.now());
    const rows = await withStore(values, io, (store) => store.queryAudit(query), {
      mustExist: true,
    });
    printList(io, {
      json: values.json,
      rows,
      columns: AUDIT_COLUMNS,
      empty: 'no audit records found',
    });
    return 0;
  },
};
