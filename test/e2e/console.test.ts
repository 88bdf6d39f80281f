import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, ADMIN_TOKEN } from '../helpers/admin.js';
import {
  CANARY_ANTHROPIC_KEY,
  CANARY_OPENAI_KEY,
  post,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';

/**
 * The operator console in a real browser (Debian's Chromium at /usr/bin/chromium or
 * CHROMIUM_PATH; never a downloaded one): sign-in, pages that reflect traffic sent in the same
 * test, actions that change what the data plane does, and the refusals that keep another
 * origin or a missing session from acting. With BASTION_SCREENSHOTS=1 each page is saved
 * under docs/console/.
 */
const SCREENSHOTS = process.env.BASTION_SCREENSHOTS === '1';
const VIEWER_TOKEN = 'viewer-test-token-5d2a9e8c1b7f4a30'; // bastion:allow test canary

async function servePage(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>elsewhere</title><p>another site</p>');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function chat(gw: TestGateway, key: string) {
  return post(
    `${gw.url}/v1/chat/completions`,
    { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'console test prompt' }] },
    { authorization: `Bearer ${key}` },
  );
}

async function errorCode(res: Response): Promise<string | undefined> {
  return ((await res.json()) as { error?: { code?: string } }).error?.code;
}

describe('operator console (Chromium)', { timeout: 60_000 }, () => {
  let browser: Browser;
  let gw: TestGateway;
  let other: { origin: string; server: Server };
  let console: string;

  beforeAll(async () => {
    other = await servePage();
    gw = await startTestGateway({
      env: { BASTION_ADMIN_TOKEN: ADMIN_TOKEN, VIEWER_TOKEN },
      config: {
        controlPlane: {
          port: 0,
          admin: { tokens: [{ label: 'auditor', role: 'viewer', token: 'env:VIEWER_TOKEN' }] },
        },
      },
    });
    console = `${gw.controlUrl ?? ''}/console`;
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    other?.server.close();
  });

  async function signIn(token = ADMIN_TOKEN): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(console);
    await page.waitForSelector('#login:not([hidden])');
    await shoot(page, 'sign-in');
    await page.fill('#token', token);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#nav:not([hidden])');
    return page;
  }

  async function open(page: Page, name: string): Promise<void> {
    await page.goto(`${console}#${name}`);
    await page.waitForSelector(`#page[data-page="${name}"]`);
  }

  async function shoot(page: Page, name: string): Promise<void> {
    if (SCREENSHOTS) await page.screenshot({ path: `docs/console/${name}.png`, fullPage: true });
  }

  it('signs in and shows on the overview the traffic just sent through the gateway', async () => {
    const { secret } = await gw.createKey({ name: 'checkout', env: 'prod' });
    for (let i = 0; i < 3; i++) expect((await chat(gw, secret)).status).toBe(200);
    const bad = await chat(gw, 'bk_dev_notakey');
    const badCode = await errorCode(bad);
    expect(bad.status).toBe(401);
    const page = await signIn();
    await page.waitForSelector('#totals');
    const labels = await page.locator('#totals .stat .label').allTextContents();
    const values = await page.locator('#totals .stat .value').allTextContents();
    const totals = Object.fromEntries(labels.map((l, i) => [l, values[i]]));
    expect(totals.Requests).toBe('4');
    expect(totals['Error rate']).toBe('25%');
    expect(await page.textContent('#page')).toContain(badCode);
    expect(await page.textContent('#page')).toContain('gpt-4o-mini');
    await shoot(page, 'overview');
    await page.close();
  });

  it('creates a key whose secret is shown once and works, then revokes it and it is refused', async () => {
    const page = await signIn();
    await open(page, 'keys');
    await page.fill('#create-key input[name=name]', 'from-console');
    await page.selectOption('#create-key select[name=env]', 'staging');
    await page.click('#create-key button[type=submit]');
    const secret = (await page.textContent('#new-secret', { timeout: 10_000 })) ?? '';
    expect(secret).toMatch(/^bk_staging_/);
    expect((await chat(gw, secret)).status).toBe(200);
    await shoot(page, 'keys');

    // The secret is not shown again.
    await page.reload();
    await page.waitForSelector('#page[data-page="keys"]');
    expect(await page.textContent('body')).not.toContain(secret);

    const row = page.locator('tr', { hasText: 'from-console' });
    await row.locator('button[data-action=revoke]').click();
    await row.locator('.state-revoked').waitFor();
    expect(await page.textContent('#toasts')).toContain('revoked');
    const refused = await chat(gw, secret);
    expect([refused.status, await errorCode(refused)]).toEqual([401, 'key_revoked']);
    await page.close();
  });

  it("narrows a key's models: a model outside them is refused at once", async () => {
    const { secret, prefix } = await gw.createKey({ name: 'narrow-me' });
    const page = await signIn();
    await open(page, 'keys');
    await page.selectOption('#edit-scopes select[name=id]', { label: `${prefix} narrow-me` });
    await page.fill('#edit-scopes input[name=models]', 'claude-*');
    await page.click('#edit-scopes button[type=submit]');
    await page.locator('tr', { hasText: 'narrow-me' }).locator('text=models claude-*').waitFor();
    const refused = await chat(gw, secret);
    expect([refused.status, await errorCode(refused)]).toEqual([403, 'scope_model_denied']);
    await page.close();
  });

  it('suspends a key and resumes it', async () => {
    const { secret, id } = await gw.createKey({ name: 'suspend-me' });
    const page = await signIn();
    await open(page, 'keys');
    const row = page.locator('tr', { hasText: 'suspend-me' });
    await row.locator('button[data-action=suspend]').click();
    await row.locator('button[data-action=resume]').waitFor();
    const refused = await chat(gw, secret);
    expect([refused.status, await errorCode(refused)]).toEqual([503, 'kill_switch_active']);
    await row.locator('button[data-action=resume]').click();
    await row.locator('button[data-action=suspend]').waitFor();
    expect((await chat(gw, secret)).status).toBe(200);
    const events = (await admin(gw, 'GET', '/admin/events')).body as {
      data: { action: string; target: string; actor: string }[];
    };
    expect(events.data.filter((e) => e.target === `key:${id}`).map((e) => e.action)).toEqual([
      'kill_switch_cleared',
      'kill_switch_set',
    ]);
    await page.close();
  });

  it('engages and releases the global kill switch, audited with its reason', async () => {
    const { secret } = await gw.createKey({ name: 'kill-test' });
    const page = await signIn();
    await open(page, 'killswitch');
    await page.selectOption('#engage select[name=scope]', 'global');
    await page.fill('#engage input[name=reason]', 'console drill');
    await page.click('#engage button[type=submit]');
    await page.locator('button[data-action=release]').waitFor();
    const refused = await chat(gw, secret);
    expect([refused.status, await errorCode(refused)]).toEqual([503, 'kill_switch_active']);
    expect(await page.textContent('#page')).toContain('console drill');
    await shoot(page, 'killswitch');
    await page.click('button[data-action=release]');
    await page.waitForSelector('text=No kill switch engaged.');
    expect((await chat(gw, secret)).status).toBe(200);
    expect(await page.textContent('#page')).toContain('kill_switch_cleared');
    await page.close();
  });

  it('filters the audit log, verifies the chains and shows guard, review, providers and alerts', async () => {
    const page = await signIn();
    await open(page, 'audit');
    await page.fill('#audit-filters input[name=code]', 'key_revoked');
    await page.click('#audit-filters button[type=submit]');
    await page.waitForSelector('text=1 records');
    await page.click('#verify');
    await page.waitForSelector('#verify-result');
    expect(await page.textContent('#verify-result')).toContain('intact');
    const download = page.waitForEvent('download');
    await page.click('#export-csv');
    const csv = await (await download).createReadStream();
    let text = '';
    for await (const chunk of csv) text += String(chunk);
    expect(text.split('\r\n')[0]).toContain('requestId');
    expect(text).toContain('key_revoked');
    await shoot(page, 'audit');
    for (const name of ['guard', 'review', 'providers']) {
      await open(page, name);
      await shoot(page, name);
    }
    await open(page, 'alerts');
    expect(await page.textContent('#page')).toContain('No alert raised.');
    expect(await page.textContent('#page')).toContain('No anomaly raised.');
    // An anomaly alert, as the detector stores it, is listed under the budget alerts.
    await gw.app.store.recordAnomalyAlert({
      kind: 'spend_spike',
      subject: 'key_console',
      window: 'w1',
      atMs: Date.now(),
      keyId: 'key_console',
      keyPrefix: 'bk_prod_Cons0le1',
      env: 'prod',
      action: 'suspend',
      observed: 200,
      baseline: 10,
      threshold: 50,
      network: null,
    });
    await open(page, 'guard');
    await open(page, 'alerts');
    await page.waitForSelector('text=Spend spike');
    const row = page.locator('tr', { hasText: 'bk_prod_Cons0le1' });
    expect(await row.textContent()).toContain('key suspended');
    await page.close();
  });

  it('acknowledges a budget alert: an admin only, shown as such, audited with the label', async () => {
    const raised = { window: 'd20261206', spentMicroUsd: 0, limitMicroUsd: 1_000_000 };
    const atMs = Date.now();
    await gw.app.store.recordAlert({
      ...raised,
      budget: 'key:checkout:daily',
      thresholdPct: 80,
      spentMicroUsd: 812_000,
      atMs,
    });
    await gw.app.store.recordAlert({
      ...raised,
      budget: 'team:search:monthly',
      thresholdPct: 100,
      spentMicroUsd: 1_004_000,
      atMs: atMs - 60_000,
    });
    const viewer = await signIn(VIEWER_TOKEN);
    await open(viewer, 'alerts');
    // Two budget alerts and the anomaly alert of the pages test: a viewer may act on none.
    const buttons = viewer.locator('button[data-action=ack]');
    expect(await buttons.count()).toBe(3);
    for (const button of await buttons.all()) expect(await button.isDisabled()).toBe(true);
    await viewer.close();

    const page = await signIn();
    await open(page, 'alerts');
    const row = page.locator('tr', { hasText: 'key:checkout:daily' });
    await row.locator('button[data-action=ack]').click();
    await row.locator('.ack').waitFor();
    expect(await row.locator('.ack').textContent()).toContain('env-admin');
    expect(await page.textContent('#page')).toContain('Budget alerts · 1 unacknowledged');
    // The anomaly card acknowledges the same way.
    const anomaly = page.locator('tr', { hasText: 'bk_prod_Cons0le1' });
    await anomaly.locator('button[data-action=ack]').click();
    await anomaly.locator('.ack').waitFor();
    expect(await page.textContent('#page')).toContain('Anomaly alerts · 0 unacknowledged');
    await shoot(page, 'alerts');
    // Stored: a new page load (any replica) shows it acknowledged.
    await page.reload();
    await page.waitForSelector('#page[data-page="alerts"]');
    expect(
      await page.locator('tr', { hasText: 'key:checkout:daily' }).locator('.ack').count(),
    ).toBe(1);
    const events = (await admin(gw, 'GET', '/admin/events')).body as {
      data: { action: string; actor: string; target: string }[];
    };
    const acks = events.data.filter((e) => e.action === 'alert_acknowledged');
    expect(acks).toHaveLength(2);
    expect(acks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: 'env-admin',
          target: 'alert:budget:key:checkout:daily/d20261206/80',
        }),
        expect.objectContaining({
          actor: 'env-admin',
          target: 'alert:anomaly:spend_spike|key_console|w1',
        }),
      ]),
    );
    await page.close();
  });

  it('keeps the session on another replica of the same store, and signs out of both', async () => {
    const replica = await startTestGateway({
      env: { BASTION_ADMIN_TOKEN: ADMIN_TOKEN, VIEWER_TOKEN },
      config: { controlPlane: { port: 0 } },
      stores: { kind: 'sqlite', sqlite: { path: gw.dbPath } },
    });
    try {
      const page = await signIn();
      // Same host, another port: the browser sends the cookie to the other replica as well.
      await page.goto(`${replica.controlUrl ?? ''}/console#keys`);
      await page.waitForSelector('#page[data-page="keys"]');
      expect(await page.textContent('#who')).toBe('env-admin · admin');
      await page.click('#logout');
      await page.waitForSelector('#login:not([hidden])');
      await page.goto(console);
      await page.waitForSelector('#login:not([hidden])');
      const status = await page.evaluate(async () => (await fetch('/console/api/keys')).status);
      expect(status).toBe(401);
      await page.close();
    } finally {
      await replica.close();
    }
  });

  it('shows a viewer every page but no action, and refuses the action it forges', async () => {
    const { secret, id } = await gw.createKey({ name: 'viewer-sees' });
    const page = await signIn(VIEWER_TOKEN);
    expect(await page.textContent('#who')).toBe('auditor · viewer');
    await open(page, 'keys');
    expect(await page.locator('#create-key').count()).toBe(0);
    const row = page.locator('tr', { hasText: 'viewer-sees' });
    expect(await row.locator('button[data-action=revoke]').isDisabled()).toBe(true);
    await open(page, 'killswitch');
    expect(await page.locator('#engage').count()).toBe(0);
    // With the page's own CSRF token and origin, the role still decides.
    const forged = await page.evaluate(async (keyId) => {
      const who = (await (await fetch('/console/session')).json()) as { csrfToken: string };
      const res = await fetch(`/console/api/keys/${keyId}/revoke`, {
        method: 'POST',
        headers: { 'x-csrf-token': who.csrfToken },
      });
      return { status: res.status, body: (await res.json()) as { error: { code: string } } };
    }, id);
    expect([forged.status, forged.body.error.code]).toEqual([403, 'admin_role_forbidden']);
    expect((await chat(gw, secret)).status).toBe(200);
    await page.close();
  });

  it('refuses a call without a session', async () => {
    const res = await fetch(`${console}/api/keys`);
    expect([res.status, await errorCode(res)]).toEqual([401, 'console_session_required']);
    const act = await fetch(`${console}/api/killswitch/global/*`, {
      method: 'PUT',
      headers: { origin: gw.controlUrl ?? '', 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'no session' }),
    });
    expect([act.status, await errorCode(act)]).toEqual([401, 'console_session_required']);
  });

  it('refuses an action without the CSRF token, and one sent from another origin', async () => {
    const page = await signIn();
    const keysBefore = ((await admin(gw, 'GET', '/admin/keys')).body as { data: unknown[] }).data;
    const noToken = await page.evaluate(async () => {
      const res = await fetch('/console/api/keys', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'csrf', env: 'dev' }),
      });
      return { status: res.status, body: (await res.json()) as { error: { code: string } } };
    });
    expect([noToken.status, noToken.body.error.code]).toEqual([403, 'console_csrf_rejected']);

    // The same browser, signed in, visits another site that posts to the console: the cookie
    // goes along (same site, other port), the Origin gives it away.
    const evil = await page.context().newPage();
    await evil.goto(other.origin);
    await evil.evaluate(async (target) => {
      await fetch(target, {
        method: 'POST',
        mode: 'no-cors',
        credentials: 'include',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ name: 'csrf', env: 'dev' }),
      });
    }, `${console}/api/keys`);
    const keysAfter = ((await admin(gw, 'GET', '/admin/keys')).body as { data: unknown[] }).data;
    expect(keysAfter).toHaveLength(keysBefore.length);
    expect(gw.logs.join('')).not.toContain('"action":"key_created"');
    await page.close();
  });

  it('leaks no token or provider key into the pages, the cookie or the logs', async () => {
    const page = await signIn();
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'bastion_console');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
    expect(session?.value).not.toContain(ADMIN_TOKEN);
    const seen: string[] = [gw.logs.join('')];
    for (const name of ['overview', 'keys', 'audit', 'providers', 'killswitch']) {
      await open(page, name);
      seen.push((await page.content()) ?? '');
    }
    for (const canary of [
      ADMIN_TOKEN,
      CANARY_OPENAI_KEY,
      CANARY_ANTHROPIC_KEY,
      'console test prompt',
    ])
      expect(seen.join('\n')).not.toContain(canary);
    await page.close();
  });
});
