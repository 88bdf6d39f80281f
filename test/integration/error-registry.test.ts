import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlErrorCodes } from '../../src/errors/codes.js';
import type { AdminRoute } from '../../src/server/admin/router.js';
import { ADMIN_TOKEN, adminRouteTable } from '../helpers/admin.js';
import {
  CANARY_ANTHROPIC_KEY,
  CANARY_OPENAI_KEY,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';

const METRICS_TOKEN = 'metrics-canary-token-2f7a9c1e5d3b8a60';

/** Values for `:param` path segments: unknown ones, then ones the test gateway has. */
const PARAM_SETS: Readonly<Record<string, string>>[] = [
  { id: 'nope', label: 'nope', scope: 'nope', target: 'nope' },
  { id: 'openai', label: 'nope', scope: 'key', target: 'nope' },
  { id: 'openai', label: 'openai-primary', scope: 'global', target: '*' },
];

/** Bodies that reach each refusal a handler has: none, empty, wrong, and conflicting ones. */
const BODIES: unknown[] = [
  undefined,
  {},
  { unexpected: true },
  { state: 'revoked' },
  { label: 'openai-primary', apiKey: 'env:TEST_OPENAI_KEY' },
  { label: 'added', apiKey: 'env:BASTION_TEST_UNSET_REF' },
];

const QUERIES = ['', '?sinceMs=-1&limit=x', '?sinceMs=0'];

interface Answer {
  where: string;
  status: number;
  code: unknown;
  text: string;
}

/**
 * Every error the control plane sends must carry a code from `controlErrorCodes`, with the
 * status the registry (and so docs/errors.md) gives it. The walk derives its requests from the
 * route tables the gateway serves, so a new route is covered without editing this file.
 */
describe('control-plane error registry', () => {
  let gw: TestGateway;
  let routes: AdminRoute[];
  const answers: Answer[] = [];

  async function call(method: string, path: string, body?: unknown, token = ADMIN_TOKEN) {
    const res = await fetch(`${gw.controlUrl ?? ''}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let code: unknown;
    try {
      code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    } catch {
      code = undefined;
    }
    answers.push({ where: `${method} ${path}`, status: res.status, code, text });
  }

  beforeAll(async () => {
    gw = await startTestGateway({
      env: { BASTION_ADMIN_TOKEN: ADMIN_TOKEN, METRICS_TOKEN },
      config: { controlPlane: { port: 0, metrics: { token: 'env:METRICS_TOKEN' } } },
    });
    routes = adminRouteTable(gw);
  });
  afterAll(() => gw.close());

  it('answers every admin and metrics refusal with a registered code and its status', async () => {
    await call('GET', '/admin/keys', undefined, 'adm-wrong-token-000000000000');
    await call('GET', '/admin/no-such-endpoint');
    await call('POST', '/admin/keys', '{not json');
    await call('GET', '/metrics', undefined, 'metrics-wrong-token-0000000000');
    // The console's own refusals: no session, a wrong token, a sign-in from another origin.
    await call('GET', '/console/api/keys');
    await call('GET', '/console/no-such-page');
    await call('PUT', '/console/session');
    for (const origin of [gw.controlUrl ?? '', 'http://evil.example']) {
      const res = await fetch(`${gw.controlUrl ?? ''}/console/login`, {
        method: 'POST',
        headers: { origin },
        body: JSON.stringify({ token: 'adm-wrong-token-000000000000' }),
      });
      const text = await res.text();
      const { error } = JSON.parse(text) as { error: { code: unknown } };
      answers.push({ where: `login from ${origin}`, status: res.status, code: error.code, text });
    }
    for (const route of routes) {
      await call(route.method === 'GET' ? 'DELETE' : 'GET', route.path.replace(/:\w+/g, 'x'));
      for (const params of PARAM_SETS) {
        const path = route.path.replace(/:(\w+)/g, (_, name: string) => params[name] ?? 'x');
        if (route.method === 'GET') for (const q of QUERIES) await call('GET', path + q);
        else for (const body of BODIES) await call(route.method, path, body);
      }
    }

    const errors = answers.filter((a) => a.status >= 400);
    for (const a of errors) {
      expect(typeof a.code === 'string' && Object.hasOwn(controlErrorCodes, a.code), a.where).toBe(
        true,
      );
      const spec = controlErrorCodes[a.code as keyof typeof controlErrorCodes];
      expect(a.status, `${a.where} ${String(a.code)}`).toBe(spec.status);
    }
    // The walk reached the refusals of every area, not only the router's own.
    const seen = new Set(errors.map((a) => a.code));
    for (const code of [
      'admin_unauthorized',
      'not_found',
      'method_not_allowed',
      'invalid_json',
      'invalid_request',
      'key_not_found',
      'provider_not_found',
      'provider_key_not_found',
      'provider_key_exists',
      'last_active_key',
      'secret_unavailable',
      'metrics_unauthorized',
      'console_session_required',
      'console_login_failed',
      'console_csrf_rejected',
    ])
      expect(seen, code).toContain(code);
  });

  it('leaks no secret into any answer or log line of the walk', () => {
    const seen = answers.map((a) => a.text).join('\n') + gw.logs.join('');
    for (const canary of [CANARY_OPENAI_KEY, CANARY_ANTHROPIC_KEY, ADMIN_TOKEN, METRICS_TOKEN])
      expect(seen).not.toContain(canary);
  });
});
