// DOM helpers: every value is set as text, never parsed as HTML, so audit data cannot inject markup.

/** Builds an element: h('td', { class: 'num' }, '12'). Attributes starting with "on" are listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    // Through the CSSOM: the CSP forbids inline style attributes.
    else if (name === 'style') Object.assign(el.style, value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** A table from column specs [header, row => cell, 'num'?]. */
export function table(columns, rows, empty = 'nothing yet') {
  if (rows.length === 0) return h('p', { class: 'muted' }, empty);
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map(([head, , cls]) => h('th', { class: cls }, head)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((row) =>
        h(
          'tr',
          {},
          columns.map(([, cell, cls]) => h('td', { class: cls }, cell(row))),
        ),
      ),
    ),
  );
}

export const card = (title, ...children) =>
  h('div', { class: 'card' }, title && h('h2', {}, title), ...children);

export const stat = (label, value) =>
  h(
    'div',
    { class: 'stat' },
    h('div', { class: 'label' }, label),
    h('div', { class: 'value' }, value),
  );

export const tag = (text, cls = '') => h('span', { class: `tag ${cls}` }, text);

export function usd(micro) {
  if (micro === null || micro === undefined) return '—';
  const dollars = micro / 1e6;
  return `$${dollars < 10 ? dollars.toFixed(4) : dollars.toFixed(2)}`;
}

export const num = (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US'));

export const ms = (n) => (n === null || n === undefined ? '—' : `${Math.round(n * 10) / 10} ms`);

export function time(ms) {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

export function ago(ms, nowMs = Date.now()) {
  if (ms === null || ms === undefined) return 'never';
  const s = Math.max(0, Math.round((nowMs - ms) / 1000));
  if (s < 90) return `${s}s ago`;
  if (s < 5400) return `${Math.round(s / 60)}m ago`;
  if (s < 129600) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

/** Saves text as a file through a blob URL (nothing leaves the page). */
export function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
