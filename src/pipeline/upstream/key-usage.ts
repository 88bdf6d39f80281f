import type { AuditRecord, AuditStore } from '../../store/types.js';

const PAGE = 10_000;

export interface KeyUsage {
  provider: string;
  sinceMs: number;
  /** Proxied requests per upstream key label of this provider since `sinceMs`. */
  byKey: Record<string, number>;
  /** Audit rows read (all providers). */
  scannedRows: number;
}

/**
 * Which keys of a provider carried proxied requests since `sinceMs`, from the audit log (the
 * rotation playbook's "verify" step). Pages newest first through `queryAudit`; a row is a
 * request's start time, and a key in `draining` is never picked by a request that started
 * after the change, so a non-zero count for the old key since its cut-over is real traffic.
 */
export async function keyUsageSince(
  store: Pick<AuditStore, 'queryAudit'>,
  provider: string,
  sinceMs: number,
): Promise<KeyUsage> {
  const byKey: Record<string, number> = {};
  const seen = new Set<string>();
  let untilMs: number | undefined;
  let scannedRows = 0;
  for (;;) {
    const rows: AuditRecord[] = await store.queryAudit({
      sinceMs,
      ...(untilMs === undefined ? {} : { untilMs }),
      limit: PAGE,
    });
    for (const row of rows) {
      if (seen.has(row.requestId)) continue;
      seen.add(row.requestId);
      scannedRows++;
      if (row.provider !== provider || row.upstreamKeyLabel === null) continue;
      if (!row.endpoint.startsWith('/v1/')) continue;
      byKey[row.upstreamKeyLabel] = (byKey[row.upstreamKeyLabel] ?? 0) + 1;
    }
    if (rows.length < PAGE) break;
    const oldest = (rows[rows.length - 1] as AuditRecord).timeMs;
    // `untilMs` is exclusive: re-read the oldest millisecond (deduplicated) unless it is all
    // this page held, then step past it.
    untilMs = untilMs === oldest + 1 ? oldest : oldest + 1;
  }
  return { provider, sinceMs, byKey, scannedRows };
}
