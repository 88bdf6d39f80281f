// The console shell: session, the API client, the page router. Pages live in pages-*.js.
import { h } from './dom.js';
import { guardPage, overviewPage } from './pages-overview.js';
import { keysPage, reviewPage } from './pages-keys.js';
import { alertsPage, auditPage, killSwitchPage, providersPage } from './pages-ops.js';
import { withAnomalyAlerts } from './pages-anomalies.js';

const PAGES = {
  overview: overviewPage,
  keys: keysPage,
  review: reviewPage,
  audit: auditPage,
  guard: guardPage,
  providers: providersPage,
  alerts: withAnomalyAlerts(alertsPage),
  killswitch: killSwitchPage,
};

let session;

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Calls an admin route through the console: GET reads; anything else carries the CSRF token. */
async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = session?.csrfToken ?? '';
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/console/api${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text === '' ? undefined : JSON.parse(text);
  if (res.status === 401 && json?.error?.code === 'console_session_required') {
    showLogin('Your session ended; sign in again.');
  }
  if (!res.ok)
    throw new ApiError(res.status, json?.error?.code, json?.error?.message ?? `HTTP ${res.status}`);
  return json;
}

function toast(message, isError = false) {
  const el = h('div', { class: `toast ${isError ? 'error' : ''}`, role: 'status' }, message);
  document.getElementById('toasts').append(el);
  setTimeout(() => el.remove(), 6000);
}

function showLogin(message = '') {
  session = undefined;
  document.getElementById('nav').hidden = true;
  document.getElementById('logout').hidden = true;
  document.getElementById('who').textContent = '';
  document.getElementById('page').replaceChildren();
  document.getElementById('login').hidden = false;
  document.getElementById('login-error').textContent = message;
}

async function render() {
  if (session === undefined) return;
  const name = location.hash.slice(1) || 'overview';
  const page = PAGES[name] ?? PAGES.overview;
  for (const a of document.querySelectorAll('nav a'))
    a.classList.toggle('active', a.getAttribute('href') === `#${name}`);
  const root = document.getElementById('page');
  root.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  const ctx = { api, toast, isAdmin: session.role === 'admin', rerender: render };
  try {
    const content = await page(ctx);
    root.replaceChildren(content);
    root.dataset.page = name;
  } catch (err) {
    root.replaceChildren(
      h('p', { class: 'error', role: 'alert' }, `Could not load: ${err.message}`),
    );
  }
}

function signedIn(who) {
  session = who;
  document.getElementById('login').hidden = true;
  document.getElementById('nav').hidden = false;
  document.getElementById('logout').hidden = false;
  document.getElementById('who').textContent = `${who.label} · ${who.role}`;
  return render();
}

async function start() {
  document.getElementById('login').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = document.getElementById('token');
    const res = await fetch('/console/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify({ token: input.value }),
    });
    input.value = '';
    const json = await res.json().catch(() => ({}));
    if (!res.ok) {
      document.getElementById('login-error').textContent =
        json.error?.message ?? `HTTP ${res.status}`;
      return;
    }
    await signedIn(json);
  });
  document.getElementById('logout').addEventListener('click', async () => {
    await fetch('/console/logout', {
      method: 'POST',
      headers: { 'x-csrf-token': session?.csrfToken ?? '' },
      credentials: 'same-origin',
    });
    showLogin('Signed out.');
  });
  window.addEventListener('hashchange', () => void render());
  const res = await fetch('/console/session', { credentials: 'same-origin' });
  if (res.ok) await signedIn(await res.json());
  else showLogin();
}

void start();
