// Overview (traffic, latency, tokens, spend, budgets, top lists, refusals) and Guard.
import { lineChart } from './charts.js';
import { card, h, ms, num, stat, table, tag, time, usd } from './dom.js';

let range = '24h';

function rangePicker(ctx) {
  return h(
    'div',
    { class: 'seg', role: 'group', 'aria-label': 'time range' },
    ['1h', '24h', '30d'].map((r) =>
      h(
        'button',
        {
          type: 'button',
          class: r === range ? '' : 'secondary',
          'data-range': r,
          onclick: () => {
            range = r;
            void ctx.rerender();
          },
        },
        r,
      ),
    ),
  );
}

function seriesLabels(s) {
  const first = s.series[0]?.startMs ?? s.sinceMs;
  const fmt = (t) => (range === '30d' ? time(t).slice(5, 10) : time(t).slice(11, 16));
  return [fmt(first), fmt(s.untilMs)];
}

function topTable(rows, what) {
  return table(
    [
      [what, (r) => r.name],
      ['Requests', (r) => num(r.requests), 'num'],
      ['Spend', (r) => usd(r.costMicroUsd), 'num'],
    ],
    rows,
  );
}

function budgetTable(budgets) {
  return table(
    [
      ['Budget', (b) => b.budget],
      ['Window', (b) => b.window],
      ['Spent', (b) => usd(b.spentMicroUsd), 'num'],
      ['Limit', (b) => usd(b.limitMicroUsd), 'num'],
      [
        'Burn',
        (b) => {
          const pct = Math.min(100, b.usedPct);
          const cls = b.usedPct >= 100 ? 'bad' : b.usedPct >= 80 ? 'warn' : '';
          return h(
            'div',
            { class: `bar ${cls}`, title: `${b.usedPct}%` },
            h('span', { style: { width: `${pct}%` } }),
          );
        },
      ],
      ['Used', (b) => `${b.usedPct}%`, 'num'],
    ],
    budgets,
    'No budgets configured.',
  );
}

export async function overviewPage(ctx) {
  const [s, budgets] = await Promise.all([
    ctx.api('GET', `/overview?range=${range}`),
    ctx.api('GET', '/budgets'),
  ]);
  const t = s.totals;
  const labels = seriesLabels(s);
  const values = (f) => s.series.map(f);
  return h(
    'div',
    {},
    h('div', { class: 'toolbar' }, h('h1', {}, 'Overview'), rangePicker(ctx)),
    h(
      'div',
      { class: 'stats', id: 'totals' },
      stat('Requests', num(t.requests)),
      stat('Error rate', `${t.errorRatePct}%`),
      stat('Latency p50', ms(t.latencyP50Ms)),
      stat('Latency p99', ms(t.latencyP99Ms)),
      stat('Tokens', num(t.promptTokens + t.completionTokens)),
      stat('Spend', usd(t.costMicroUsd)),
    ),
    h(
      'div',
      { class: 'grid' },
      card(
        'Requests and errors',
        lineChart({
          title: 'requests and errors',
          labels,
          lines: [
            { values: values((b) => b.requests) },
            { values: values((b) => b.errors), cls: 'errors' },
          ],
          format: (v) => num(Math.round(v)),
        }),
      ),
      card(
        'Tokens',
        lineChart({
          title: 'tokens',
          labels,
          lines: [{ values: values((b) => b.promptTokens + b.completionTokens) }],
          format: (v) => num(Math.round(v)),
        }),
      ),
      card(
        'Spend',
        lineChart({
          title: 'spend',
          labels,
          lines: [{ values: values((b) => b.costMicroUsd) }],
          format: usd,
        }),
      ),
    ),
    card('Budgets (this window)', budgetTable(budgets.data)),
    h(
      'div',
      { class: 'grid' },
      card('Top keys', topTable(s.top.keys, 'Key prefix')),
      card('Top models', topTable(s.top.models, 'Model')),
      card('Top users', topTable(s.top.users, 'User')),
      card('Top teams', topTable(s.top.teams, 'Team')),
    ),
    card(
      'Refusals by code',
      table(
        [
          ['Code', (r) => h('code', {}, r.code)],
          ['Status', (r) => r.status, 'num'],
          ['Requests', (r) => num(r.requests), 'num'],
        ],
        s.refusals,
        'No refused request in this range.',
      ),
    ),
  );
}

export async function guardPage(ctx) {
  const s = await ctx.api('GET', `/overview?range=${range}`);
  const g = s.guard;
  return h(
    'div',
    {},
    h('div', { class: 'toolbar' }, h('h1', {}, 'Guard'), rangePicker(ctx)),
    h(
      'p',
      { class: 'muted' },
      'What the input and output guards refused, redacted or flagged: categories, counts and request ids. The text itself is never stored.',
    ),
    card(
      'By category',
      table(
        [
          ['Stage', (r) => r.stage],
          ['Action', (r) => tag(r.action, r.action === 'block' ? 'bad' : 'warn')],
          ['Category', (r) => r.type ?? '—'],
          ['Requests', (r) => num(r.requests), 'num'],
        ],
        g.byCategory,
        'No guard decision in this range.',
      ),
    ),
    card(
      'Latest decisions',
      table(
        [
          ['Time', (r) => time(r.timeMs)],
          ['Request id', (r) => h('code', {}, r.requestId)],
          ['Stage', (r) => r.stage],
          ['Action', (r) => r.action],
          ['Category', (r) => r.type ?? '—'],
        ],
        g.recent,
      ),
    ),
  );
}
