// Acknowledging alerts, for every alert kind the Alerts page lists (budget, anomaly, …): the
// admin route `POST /alerts/ack {kind, id}`; each alert the API lists carries `id` and `ack`.
import { h, tag, time } from './dom.js';

async function acknowledge(ctx, kind, alert) {
  try {
    await ctx.api('POST', '/alerts/ack', { kind, id: alert.id });
    ctx.toast('Alert acknowledged.');
    await ctx.rerender();
  } catch (err) {
    ctx.toast(err.message, true);
  }
}

/** A table column: who acknowledged the alert and when, or the button that does it (admins). */
export function ackColumn(ctx, kind) {
  return [
    'Acknowledged',
    (alert) =>
      alert.ack
        ? h(
            'span',
            { class: 'ack', 'data-ack': alert.id },
            tag('acknowledged', 'state-expired'),
            ` ${alert.ack.actor} · ${time(alert.ack.atMs)}`,
          )
        : h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              'data-action': 'ack',
              disabled: !ctx.isAdmin,
              onclick: () => acknowledge(ctx, kind, alert),
            },
            'Acknowledge',
          ),
  ];
}

/** A card title with the count of alerts not yet acknowledged. */
export function ackTitle(title, alerts) {
  const open = alerts.filter((a) => !a.ack).length;
  return alerts.length === 0 ? title : `${title} · ${open} unacknowledged`;
}
