// Keys (list, create with the secret shown once, suspend / resume, revoke) and Access review.
import { ago, card, h, num, table, tag, time } from './dom.js';

const FINDINGS = {
  unused: 'unused',
  no_expiry: 'no expiry',
  all_models: 'all models',
  no_ip_range_in_prod: 'prod without IP range',
  old: 'old',
  unknown_team: 'team gone',
};

function scopesSummary(scopes) {
  const parts = [];
  parts.push(scopes.models?.length ? `models ${scopes.models.join(', ')}` : 'all models');
  if (scopes.ipRanges?.length) parts.push(`ip ${scopes.ipRanges.join(', ')}`);
  if (scopes.endpoints?.length) parts.push(scopes.endpoints.join(', '));
  if (scopes.team) parts.push(`team ${scopes.team}`);
  return parts.join(' · ');
}

const list = (text) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

function createForm(ctx, onCreated) {
  const form = h(
    'form',
    { class: 'inline', id: 'create-key' },
    h(
      'label',
      {},
      'Name',
      h('input', { name: 'name', required: true, pattern: '[\\w.\\-]{1,64}' }),
    ),
    h(
      'label',
      {},
      'Environment',
      h(
        'select',
        { name: 'env' },
        ['dev', 'staging', 'prod', 'ci'].map((e) => h('option', { value: e }, e)),
      ),
    ),
    h(
      'label',
      {},
      'Expires in days',
      h('input', { name: 'days', type: 'number', min: 1, max: 3650, value: 90 }),
    ),
    h(
      'label',
      {},
      'Models (comma-separated globs)',
      h('input', { name: 'models', placeholder: 'gpt-4o*' }),
    ),
    h('label', {}, 'IP ranges', h('input', { name: 'ipRanges', placeholder: '10.0.0.0/8' })),
    h('button', { type: 'submit', disabled: !ctx.isAdmin }, 'Create key'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const f = new FormData(form);
    const scopes = {};
    const models = list(String(f.get('models')));
    const ipRanges = list(String(f.get('ipRanges')));
    if (models.length) scopes.models = models;
    if (ipRanges.length) scopes.ipRanges = ipRanges;
    const days = Number(f.get('days'));
    try {
      const created = await ctx.api('POST', '/keys', {
        name: String(f.get('name')),
        env: String(f.get('env')),
        expiresAtMs: days > 0 ? Date.now() + days * 86_400_000 : null,
        scopes,
      });
      onCreated(created);
    } catch (err) {
      ctx.toast(err.message, true);
    }
  });
  return form;
}

/** Replaces the models and IP ranges of a key's scopes; its other scopes stay as they are. */
function scopesForm(ctx, keys) {
  const live = keys.filter((k) => k.state === 'active' || k.state === 'suspended');
  const form = h(
    'form',
    { class: 'inline', id: 'edit-scopes' },
    h(
      'label',
      {},
      'Key',
      h(
        'select',
        { name: 'id' },
        live.map((k) => h('option', { value: k.id }, `${k.prefix} ${k.name}`)),
      ),
    ),
    h('label', {}, 'Models (empty: all)', h('input', { name: 'models', placeholder: 'gpt-4o*' })),
    h(
      'label',
      {},
      'IP ranges (empty: any)',
      h('input', { name: 'ipRanges', placeholder: '10.0.0.0/8' }),
    ),
    h('button', { type: 'submit', class: 'secondary', disabled: live.length === 0 }, 'Replace'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const f = new FormData(form);
    const key = live.find((k) => k.id === f.get('id'));
    if (key === undefined) return;
    const scopes = { ...key.scopes };
    delete scopes.models;
    delete scopes.ipRanges;
    const models = list(String(f.get('models')));
    const ipRanges = list(String(f.get('ipRanges')));
    if (models.length) scopes.models = models;
    if (ipRanges.length) scopes.ipRanges = ipRanges;
    void act(
      ctx,
      'PUT',
      `/keys/${encodeURIComponent(key.id)}/scopes`,
      scopes,
      `${key.prefix} scopes replaced.`,
    );
  });
  return form;
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

function actions(ctx, k) {
  if (k.state === 'revoked' || k.state === 'expired') return '';
  const suspend =
    k.state === 'suspended'
      ? h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            disabled: !ctx.isAdmin,
            'data-action': 'resume',
            onclick: () =>
              act(
                ctx,
                'DELETE',
                `/killswitch/key/${encodeURIComponent(k.id)}`,
                undefined,
                `${k.prefix} resumed.`,
              ),
          },
          'Resume',
        )
      : h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            disabled: !ctx.isAdmin,
            'data-action': 'suspend',
            onclick: () =>
              act(
                ctx,
                'PUT',
                `/killswitch/key/${encodeURIComponent(k.id)}`,
                { reason: 'suspended from the console' },
                `${k.prefix} suspended.`,
              ),
          },
          'Suspend',
        );
  const revoke = h(
    'button',
    {
      type: 'button',
      class: 'danger',
      disabled: !ctx.isAdmin,
      'data-action': 'revoke',
      onclick: () => {
        if (confirm(`Revoke ${k.prefix} for good?`))
          void act(
            ctx,
            'POST',
            `/keys/${encodeURIComponent(k.id)}/revoke`,
            undefined,
            `${k.prefix} revoked.`,
          );
      },
    },
    'Revoke',
  );
  return h('span', {}, suspend, ' ', revoke);
}

let justCreated;

export async function keysPage(ctx) {
  const [keys, review] = await Promise.all([
    ctx.api('GET', '/keys'),
    ctx.api('GET', '/access-review'),
  ]);
  const facts = new Map(review.data.map((r) => [r.id, r]));
  const rows = keys.data.map((k) => ({ ...k, ...facts.get(k.id), scopes: k.scopes })).reverse();
  const shown = justCreated;
  justCreated = undefined;
  return h(
    'div',
    {},
    h('h1', {}, 'Keys'),
    shown
      ? card(
          'New key — copy it now, it is not shown again',
          h('div', { class: 'secret', id: 'new-secret' }, shown.key),
          h('p', { class: 'muted' }, `${shown.name} · ${shown.env} · prefix ${shown.prefix}`),
        )
      : null,
    ctx.isAdmin
      ? card(
          'Create a key',
          createForm(ctx, (created) => {
            justCreated = created;
            void ctx.rerender();
          }),
        )
      : null,
    ctx.isAdmin ? card('Edit scopes', scopesForm(ctx, rows)) : null,
    card(
      `${num(rows.length)} keys`,
      table(
        [
          ['Prefix', (k) => h('code', {}, k.prefix)],
          ['Name', (k) => k.name],
          ['Env', (k) => k.env],
          ['State', (k) => tag(k.state ?? 'revoked', `state-${k.state ?? 'revoked'}`)],
          ['Scopes', (k) => scopesSummary(k.scopes)],
          ['Last used', (k) => ago(k.lastUsedMs)],
          ['Age', (k) => `${k.ageDays ?? 0}d`, 'num'],
          ['Expires', (k) => time(k.expiresAtMs)],
          ['', (k) => actions(ctx, k)],
        ],
        rows,
        'No keys yet.',
      ),
    ),
  );
}

let unusedDays = 30;

export async function reviewPage(ctx) {
  const review = await ctx.api('GET', `/access-review?unusedDays=${unusedDays}`);
  const flagged = review.data.filter((r) => r.findings.length > 0);
  const form = h(
    'form',
    { class: 'inline' },
    h(
      'label',
      {},
      'Unused for days',
      h('input', { name: 'days', type: 'number', min: 0, max: 3650, value: unusedDays }),
    ),
    h('button', { type: 'submit', class: 'secondary' }, 'Apply'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    unusedDays = Number(new FormData(form).get('days'));
    void ctx.rerender();
  });
  return h(
    'div',
    {},
    h('h1', {}, 'Access review'),
    h(
      'p',
      { class: 'muted' },
      `Keys unused for ${review.unusedDays} days, without expiry, allowed every model, in prod without an IP range, older than ${review.maxAgeDays} days, or owned by a team the configuration no longer has. Same as \`bastion keys review\`.`,
    ),
    card('', form),
    card(
      `${num(flagged.length)} of ${num(review.data.length)} keys need a look`,
      table(
        [
          ['Prefix', (k) => h('code', {}, k.prefix)],
          ['Name', (k) => k.name],
          ['Env', (k) => k.env],
          ['State', (k) => tag(k.state, `state-${k.state}`)],
          [
            'Findings',
            (k) =>
              k.findings.map((f) =>
                tag(FINDINGS[f] ?? f, f === 'unused' || f === 'old' ? 'warn' : 'bad'),
              ),
          ],
          ['Last used', (k) => ago(k.lastUsedMs)],
          ['Age', (k) => `${k.ageDays}d`, 'num'],
        ],
        flagged,
        'Nothing to review.',
      ),
    ),
  );
}
