import { z } from 'zod';
import type {
  AnomalyAlert,
  AnomalyStore,
  BudgetAlert,
  ConsoleStore,
  PolicyStore,
} from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import { adminError, type AdminRoute } from './router.js';

/** One family of alerts that can be acknowledged: whether an id names one of its alerts. */
export interface AlertKind {
  exists(id: string): Promise<boolean>;
}

export interface AlertAckDeps {
  store: Pick<ConsoleStore, 'acknowledgeAlert' | 'listAlertAcks'> &
    Pick<PolicyStore, 'appendAdminEvent'>;
  /** By kind name (`budget`, `anomaly`, …): the kinds an operator may acknowledge. */
  kinds: Readonly<Record<string, AlertKind>>;
  clock: Clock;
}

/** An alert's acknowledgement as the admin API shows it. */
export interface AckView {
  actor: string;
  atMs: number;
}

const AckBody = z.object({
  kind: z.string().regex(/^[a-z_]{1,32}$/),
  id: z.string().min(1).max(512),
});

/** A budget alert's id: its budget, window and threshold (`team:search:monthly/m202612/80`). */
export function budgetAlertId(alert: Pick<BudgetAlert, 'budget' | 'window' | 'thresholdPct'>) {
  return `${alert.budget}/${alert.window}/${alert.thresholdPct}`;
}

const BUDGET_ID = /^(.+)\/([^/]+)\/(\d{1,3})$/;

/** Budget alerts as an alert kind: an id names one when the store holds that alert. */
export function budgetAlertKind(store: Pick<ConsoleStore, 'hasBudgetAlert'>): AlertKind {
  return {
    async exists(id) {
      const m = BUDGET_ID.exec(id);
      if (m === null) return false;
      const [, budget = '', window = '', pct = ''] = m;
      return store.hasBudgetAlert({ budget, window, thresholdPct: Number(pct) });
    },
  };
}

/**
 * An anomaly alert's id: its kind, subject and window, joined by `|` (a subject may hold `:`
 * and a window `/`, neither holds `|`): `spend_spike|key_abc|b1765000000000`.
 */
export function anomalyAlertId(alert: Pick<AnomalyAlert, 'kind' | 'subject' | 'window'>) {
  return `${alert.kind}|${alert.subject}|${alert.window}`;
}

const ANOMALY_ID = /^([a-z_]{1,32})\|([^|]{1,256})\|(.{1,200})$/;

/** Anomaly alerts as an alert kind: an id names one when the store holds that alert. */
export function anomalyAlertKind(store: Pick<AnomalyStore, 'hasAnomalyAlert'>): AlertKind {
  return {
    async exists(id) {
      const m = ANOMALY_ID.exec(id);
      if (m === null) return false;
      const [, kind = '', subject = '', window = ''] = m;
      return store.hasAnomalyAlert({ kind: kind as AnomalyAlert['kind'], subject, window });
    },
  };
}

/** Each item with `id` and `ack` (null when not acknowledged), read in one store call. */
export async function withAcks<T>(
  store: Pick<ConsoleStore, 'listAlertAcks'>,
  kind: string,
  items: readonly T[],
  idOf: (item: T) => string,
): Promise<(T & { id: string; ack: AckView | null })[]> {
  const ids = items.map(idOf);
  const acks = new Map(
    (await store.listAlertAcks(kind, ids)).map((a) => [
      a.alertId,
      { actor: a.actor, atMs: a.atMs },
    ]),
  );
  return items.map((item, i) => {
    const id = ids[i] as string;
    return { ...item, id, ack: acks.get(id) ?? null };
  });
}

/**
 * `POST /admin/alerts/ack` `{kind, id}`: an admin acknowledges an alert. Stored once per alert
 * (every replica and a restart agree) and recorded as an `alert_acknowledged` operator event
 * under the token's label; acknowledging it again changes nothing and answers the first one.
 */
export function alertAckRoutes(deps: AlertAckDeps): AdminRoute[] {
  return [
    {
      method: 'POST',
      path: '/admin/alerts/ack',
      async handle(req) {
        const body = AckBody.safeParse(req.body);
        if (!body.success) return adminError('invalid_request', 'POST {"kind":"budget","id":"…"}');
        const { kind, id } = body.data;
        const known = Object.hasOwn(deps.kinds, kind) ? deps.kinds[kind] : undefined;
        if (known === undefined) {
          return adminError(
            'invalid_request',
            `kind is one of: ${Object.keys(deps.kinds).join(', ')}`,
          );
        }
        if (!(await known.exists(id))) return adminError('alert_not_found', 'No such alert.');
        const atMs = deps.clock.now();
        const isNew = await deps.store.acknowledgeAlert({
          kind,
          alertId: id,
          actor: req.actor,
          atMs,
        });
        if (isNew) {
          await deps.store.appendAdminEvent({
            timeMs: atMs,
            actor: req.actor,
            action: 'alert_acknowledged',
            target: `alert:${kind}:${id}`,
            detail: null,
          });
        }
        const [ack] = await deps.store.listAlertAcks(kind, [id]);
        return {
          status: 200,
          body: { kind, id, isNew, ack: ack && { actor: ack.actor, atMs: ack.atMs } },
        };
      },
    },
  ];
}
