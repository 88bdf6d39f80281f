// Anomaly alerts, shown under the budget alerts of the Alerts page; admins acknowledge them.
import { ackColumn, ackTitle } from './alert-ack.js';
import { card, h, num, table, tag, time, usd } from './dom.js';

const KIND_LABELS = {
  spend_spike: 'Spend spike',
  request_spike: 'Request spike',
  guard_refusals: 'Guard refusals',
  new_network: 'New network',
  auth_probing: 'Auth probing',
};

/** The amount in the unit of its kind: money for spend, a count otherwise. */
function amount(a, value) {
  if (a.kind === 'new_network') return '—';
  return a.kind === 'spend_spike' ? usd(Math.round(value)) : num(Math.round(value * 10) / 10);
}

function anomalyCard(ctx, alerts) {
  return card(
    ackTitle('Anomaly alerts', alerts),
    table(
      [
        ['Time', (a) => time(a.atMs)],
        [
          'Kind',
          (a) => tag(KIND_LABELS[a.kind] ?? a.kind, a.action === 'suspend' ? 'bad' : 'warn'),
        ],
        ['Key', (a) => (a.keyPrefix === null ? '—' : h('code', {}, a.keyPrefix))],
        ['Subject', (a) => (a.keyId === null ? a.subject : (a.env ?? ''))],
        ['Network', (a) => a.network ?? ''],
        ['Observed', (a) => amount(a, a.observed), 'num'],
        ['Baseline', (a) => amount(a, a.baseline), 'num'],
        ['Threshold', (a) => amount(a, a.threshold), 'num'],
        ['Action', (a) => (a.action === 'suspend' ? tag('key suspended', 'bad') : 'alert')],
        ackColumn(ctx, 'anomaly'),
      ],
      alerts,
      'No anomaly raised.',
    ),
  );
}

/** Wraps the Alerts page: its content, then the anomaly alerts card. */
export function withAnomalyAlerts(page) {
  return async function alertsAndAnomalies(ctx) {
    const [view, anomalies] = await Promise.all([
      page(ctx),
      ctx.api('GET', '/anomalies?limit=200'),
    ]);
    view.append(anomalyCard(ctx, anomalies.data));
    return view;
  };
}
