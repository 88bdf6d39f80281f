// Audit explorer, Providers, Alerts, Kill switch (with the operator event log).
import { ackColumn, ackTitle } from './alert-ack.js';
import { card, download, h, ms, num, table, tag, time, usd } from './dom.js';

const AUDIT_FIELDS = [
  'requestId',
  'timeMs',
  'keyId',
  'keyPrefix',
  'env',
  'endpoint',
  'model',
  'provider',
  'upstreamKeyLabel',
  'status',
  'errorCode',
  'promptTokens',
  'completionTokens',
  'latencyMs',
  'upstreamLatencyMs',
  'clientIp',
  'isStream',
  'costMicroUsd',
  'userId',
  'team',
];

/** One CSV cell; a leading = + - @ is quoted away so a spreadsheet does not run it as a formula. */
function csvCell(value) {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows) {
  const head = [...AUDIT_FIELDS, 'decisions'];
  const lines = rows.map((r) => head.map((f) => csvCell(r[f])).join(','));
  return [head.join(','), ...lines].join('\r\n') + '\r\n';
}

const SINCE = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 604_800_000,
  '30d': 2_592_000_000,
  all: null,
};
let filters = { keyId: '', status: '', code: '', userId: '', since: '24h', limit: '100' };
let verifyResult;

function auditQuery() {
  const q = new URLSearchParams();
  for (const name of ['keyId', 'status', 'code', 'userId', 'limit'])
    if (filters[name] !== '') q.set(name, filters[name]);
  const span = SINCE[filters.since];
  if (span) q.set('sinceMs', String(Date.now() - span));
  return q.toString();
}

function verifyCard() {
  if (verifyResult === undefined) return null;
  if (verifyResult.error)
    return card('Audit verify', h('p', { class: 'error' }, verifyResult.error));
  const r = verifyResult;
  return card(
    'Audit verify',
    h(
      'p',
      { id: 'verify-result' },
      r.isIntact ? tag('intact', 'state-active') : tag('tampering found', 'bad'),
      ` ${r.chains.length} chains · ${num(r.unchained.rows)} unchained rows`,
    ),
    table(
      [
        ['Chain', (c) => h('code', {}, c.chainId)],
        ['Rows', (c) => num(c.rows), 'num'],
        ['From', (c) => time(c.fromMs)],
        ['To', (c) => time(c.toMs)],
        ['Problem', (c) => (c.problem ? tag(c.problem.kind, 'bad') : 'ok')],
      ],
      r.chains,
    ),
  );
}

export async function auditPage(ctx) {
  const result = await ctx.api('GET', `/audit?${auditQuery()}`);
  const rows = result.data;
  const input = (name, label, attrs = {}) =>
    h('label', {}, label, h('input', { name, value: filters[name], ...attrs }));
  const form = h(
    'form',
    { class: 'inline', id: 'audit-filters' },
    input('keyId', 'Key id'),
    input('status', 'Status', { size: 4, pattern: '[1-5][0-9][0-9]' }),
    input('code', 'Error code'),
    input('userId', 'User'),
    h(
      'label',
      {},
      'Since',
      h(
        'select',
        { name: 'since' },
        Object.keys(SINCE).map((s) => h('option', { value: s, selected: s === filters.since }, s)),
      ),
    ),
    input('limit', 'Limit', { type: 'number', min: 1, max: 1000 }),
    h('button', { type: 'submit' }, 'Filter'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    filters = Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v).trim()]));
    void ctx.rerender();
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return h(
    'div',
    {},
    h('h1', {}, 'Audit'),
    card('', form),
    h(
      'div',
      { class: 'toolbar' },
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          id: 'export-csv',
          onclick: () => download(`audit-${stamp}.csv`, 'text/csv', toCsv(rows)),
        },
        'Export CSV',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          id: 'export-json',
          onclick: () =>
            download(`audit-${stamp}.json`, 'application/json', JSON.stringify(rows, null, 2)),
        },
        'Export JSON',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          id: 'verify',
          onclick: async () => {
            try {
              verifyResult = await ctx.api('GET', '/audit/verify');
            } catch (err) {
              verifyResult = { error: err.message };
            }
            void ctx.rerender();
          },
        },
        'Verify chains',
      ),
      result.isPartial
        ? h('span', { class: 'muted' }, 'Code and user filters read the newest 10,000 rows only.')
        : null,
    ),
    verifyCard(),
    card(
      `${num(rows.length)} records`,
      table(
        [
          ['Time', (r) => time(r.timeMs)],
          ['Request id', (r) => h('code', {}, r.requestId)],
          ['Key', (r) => r.keyPrefix ?? '—'],
          ['Model', (r) => r.model ?? '—'],
          ['Status', (r) => tag(r.status, r.status >= 400 ? 'bad' : 'state-active'), 'num'],
          ['Code', (r) => (r.errorCode ? h('code', {}, r.errorCode) : '')],
          ['Tokens', (r) => num((r.promptTokens ?? 0) + (r.completionTokens ?? 0)), 'num'],
          ['Cost', (r) => usd(r.costMicroUsd), 'num'],
          ['Latency', (r) => ms(r.latencyMs), 'num'],
          ['User', (r) => r.userId ?? ''],
        ],
        rows,
        'No record matches.',
      ),
    ),
  );
}

async function act(ctx, method, path, body, done) {
  try {
    await ctx.api(method, path, body);
    ctx.toast(done);
    await ctx.rerender();
  } catch (err) {
    ctx.toast(err.message, true);
  }
}

export async function providersPage(ctx) {
  const providers = (await ctx.api('GET', '/providers')).data;
  const keyActions = (p, k) => {
    if (k.state === 'revoked') return '';
    const path = `/providers/${encodeURIComponent(p.id)}/keys/${encodeURIComponent(k.label)}`;
    return h(
      'span',
      {},
      k.state === 'active'
        ? h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              disabled: !ctx.isAdmin,
              onclick: () => act(ctx, 'PATCH', path, { state: 'draining' }, `${k.label} draining.`),
            },
            'Drain',
          )
        : h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              disabled: !ctx.isAdmin,
              onclick: () => act(ctx, 'PATCH', path, { state: 'active' }, `${k.label} active.`),
            },
            'Activate',
          ),
      ' ',
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          disabled: !ctx.isAdmin,
          onclick: () => act(ctx, 'PATCH', path, { state: 'revoked' }, `${k.label} revoked.`),
        },
        'Revoke',
      ),
    );
  };
  return h(
    'div',
    {},
    h('h1', {}, 'Providers'),
    h(
      'p',
      { class: 'muted' },
      'Upstream keys by label; their values never leave the gateway. For a full rotation (add, shift, drain, revoke, verify) run `bastion providers rotate`.',
    ),
    providers.map((p) =>
      card(
        p.id,
        table(
          [
            ['Label', (k) => h('code', {}, k.label)],
            ['State', (k) => tag(k.state, `state-${k.state}`)],
            ['Weight', (k) => k.weight, 'num'],
            ['Age', (k) => (k.ageDays === null ? '—' : `${k.ageDays}d`), 'num'],
            ['Age warning', (k) => (k.ageWarning === 'none' ? '' : tag(k.ageWarning, 'warn'))],
            ['Breaker', (k) => tag(k.circuit.state, `state-${k.circuit.state}`)],
            ['In flight', (k) => k.inFlight, 'num'],
            ['Calls', (k) => num(k.calls), 'num'],
            ['Failures', (k) => num(k.failures), 'num'],
            ['', (k) => keyActions(p, k)],
          ],
          p.keys,
        ),
      ),
    ),
  );
}

export async function alertsPage(ctx) {
  const alerts = (await ctx.api('GET', '/alerts?limit=200')).data;
  return h(
    'div',
    {},
    h('h1', {}, 'Alerts'),
    card(
      ackTitle('Budget alerts', alerts),
      table(
        [
          ['Time', (a) => time(a.atMs)],
          ['Budget', (a) => a.budget],
          ['Window', (a) => a.window],
          ['Threshold', (a) => tag(`${a.thresholdPct}%`, a.thresholdPct >= 100 ? 'bad' : 'warn')],
          ['Spent', (a) => usd(a.spentMicroUsd), 'num'],
          ['Limit', (a) => usd(a.limitMicroUsd), 'num'],
          ackColumn(ctx, 'budget'),
        ],
        alerts,
        'No alert raised.',
      ),
    ),
  );
}

export async function killSwitchPage(ctx) {
  const [switches, events] = await Promise.all([
    ctx.api('GET', '/killswitch'),
    ctx.api('GET', '/events?limit=50'),
  ]);
  const form = h(
    'form',
    { class: 'inline', id: 'engage' },
    h(
      'label',
      {},
      'Scope',
      h(
        'select',
        { name: 'scope' },
        ['global', 'env', 'provider', 'key'].map((s) => h('option', { value: s }, s)),
      ),
    ),
    h(
      'label',
      {},
      'Target (env, provider or key id)',
      h('input', { name: 'target', placeholder: '* for global' }),
    ),
    h('label', {}, 'Reason', h('input', { name: 'reason', required: true, maxlength: 200 })),
    h('button', { type: 'submit', class: 'danger', disabled: !ctx.isAdmin }, 'Engage'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const f = new FormData(form);
    const scope = String(f.get('scope'));
    const target = scope === 'global' ? '*' : String(f.get('target')).trim();
    void act(
      ctx,
      'PUT',
      `/killswitch/${scope}/${encodeURIComponent(target)}`,
      { reason: String(f.get('reason')) },
      `Kill switch ${scope}:${target} engaged.`,
    );
  });
  return h(
    'div',
    {},
    h('h1', {}, 'Kill switch'),
    h(
      'p',
      { class: 'muted' },
      'Engaged switches refuse traffic at once on every replica sharing the store. Every change is an operator event.',
    ),
    ctx.isAdmin ? card('Engage', form) : null,
    card(
      'Engaged',
      table(
        [
          ['Scope', (s) => s.scope],
          ['Target', (s) => h('code', {}, s.target)],
          ['Reason', (s) => s.reason],
          ['By', (s) => s.actor],
          ['Since', (s) => time(s.createdAtMs)],
          [
            '',
            (s) =>
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary',
                  disabled: !ctx.isAdmin,
                  'data-action': 'release',
                  onclick: () =>
                    act(
                      ctx,
                      'DELETE',
                      `/killswitch/${s.scope}/${encodeURIComponent(s.target)}`,
                      undefined,
                      `Kill switch ${s.scope}:${s.target} released.`,
                    ),
                },
                'Release',
              ),
          ],
        ],
        switches.data,
        'No kill switch engaged.',
      ),
    ),
    card(
      'Operator events',
      table(
        [
          ['Time', (e) => time(e.timeMs)],
          ['Actor', (e) => e.actor],
          ['Action', (e) => e.action],
          ['Target', (e) => h('code', {}, e.target)],
          ['Detail', (e) => e.detail ?? ''],
        ],
        events.data,
      ),
    ),
  );
}
