import type { ChainKeyring } from '../../pipeline/audit/chain-key.js';
import { verifyAuditChains } from '../../pipeline/audit/verify.js';
import {
  lastUsedTimes,
  reviewKeys,
  suspendedKeyIds,
  type KeyReview,
} from '../../policy/access-review.js';
import type { AuditStore, ConsoleStore, PolicyStore, Store } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import { buildAuditSummary, OVERVIEW_LIMITS } from './audit-summary.js';
import { adminError, intParam, type AdminRoute } from './router.js';

export interface ConsoleRoutesDeps {
  store: Pick<Store, 'listKeys'> &
    Pick<PolicyStore, 'listKillSwitches'> &
    Pick<
      AuditStore,
      'queryAudit' | 'listAuditChains' | 'readAuditChain' | 'unchainedAudit' | 'listAuditCuts'
    > &
    Pick<ConsoleStore, 'summarizeAudit'>;
  chainKeys: Pick<ChainKeyring, 'candidates'>;
  /** Team names of the configuration, read per call (they follow a reload). */
  teams: () => ReadonlySet<string>;
  /** Writes queued audit rows first, so a page shows every request that finished. */
  flushAudit: () => Promise<void>;
  clock: Clock;
}

const RANGES = {
  '1h': { spanMs: 3_600_000, bucketMs: 60_000 },
  '24h': { spanMs: 86_400_000, bucketMs: 1_800_000 },
  '30d': { spanMs: 30 * 86_400_000, bucketMs: 86_400_000 },
} as const;

/** Access review of every key, from the store; `unusedDays` and `maxAgeDays` tune it. */
export async function accessReview(
  deps: Pick<ConsoleRoutesDeps, 'store' | 'teams'>,
  opts: { nowMs: number; unusedDays: number; maxAgeDays: number },
): Promise<KeyReview[]> {
  const keys = await deps.store.listKeys();
  const suspended = suspendedKeyIds(await deps.store.listKillSwitches());
  const live = keys.filter((k) => k.revokedAtMs === null).map((k) => k.id);
  const lastUsedMs = await lastUsedTimes(deps.store, live);
  return reviewKeys(keys, { lastUsedMs, suspended }, { ...opts, teams: deps.teams() });
}

/**
 * The read-only views behind the operator console, open to the admin API's bearer clients as
 * well: the overview (`/admin/overview?range=1h|24h|30d`), audit verification and the access
 * review (audit search is `audit.ts`). Rows are metadata only; no prompt, completion or secret is stored.
 */
export function consoleRoutes(deps: ConsoleRoutesDeps): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/admin/overview',
      async handle(req) {
        const range = req.query.get('range') ?? '24h';
        if (!Object.hasOwn(RANGES, range)) {
          return adminError('invalid_request', 'GET ?range=1h|24h|30d');
        }
        const { spanMs, bucketMs } = RANGES[range as keyof typeof RANGES];
        await deps.flushAudit();
        const untilMs = deps.clock.now() + 1;
        // Aligned on the bucket size so the series does not shift between refreshes.
        const sinceMs = Math.floor((untilMs - spanMs) / bucketMs) * bucketMs;
        // Summed by the store: bounded work and memory here however many rows the range holds.
        const span = { sinceMs, untilMs, bucketMs };
        const overview = await deps.store.summarizeAudit({ ...span, ...OVERVIEW_LIMITS });
        const summary = buildAuditSummary(overview, span);
        return { status: 200, body: { range, ...summary } };
      },
    },
    {
      method: 'GET',
      path: '/admin/audit/verify',
      async handle(req) {
        await deps.flushAudit();
        const sinceMs = req.query.has('sinceMs') ? intParam(req.query, 'sinceMs', 0) : undefined;
        const report = await verifyAuditChains(
          { store: deps.store, keys: deps.chainKeys },
          sinceMs === undefined ? {} : { sinceMs },
        );
        return { status: 200, body: report };
      },
    },
    {
      method: 'GET',
      path: '/admin/access-review',
      async handle(req) {
        const unusedDays = intParam(req.query, 'unusedDays', 30);
        const maxAgeDays = intParam(req.query, 'maxAgeDays', 90);
        await deps.flushAudit();
        const data = await accessReview(deps, { nowMs: deps.clock.now(), unusedDays, maxAgeDays });
        return { status: 200, body: { unusedDays, maxAgeDays, data } };
      },
    },
  ];
}
