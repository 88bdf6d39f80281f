import { startFakeServer, type FakeServer } from './server.js';

/**
 * HashiCorp Vault, the documented subset Bastion uses: KV v2 read
 * (`GET /v1/<mount>/data/<path>` → `{ data: { data, metadata: { version } } }`), AppRole login
 * (`POST /v1/auth/approle/login` → `{ auth: { client_token, lease_duration } }`), errors as
 * `{ errors: [...] }` with 403 (bad token) and 404 (no such path), namespaces by header.
 */
export interface FakeVault extends FakeServer {
  /** Writes a new version of a KV v2 secret (mount `secret`). */
  write(path: string, data: Record<string, string>): void;
  roleId: string;
  secretId: string;
  rootToken: string;
  /** Tokens issued by AppRole logins; revoke one to simulate expiry. */
  issued: Set<string>;
  namespace: string | undefined;
}

export async function startFakeVault(
  opts: { namespace?: string; leaseSec?: number } = {},
): Promise<FakeVault> {
  const kv = new Map<string, { data: Record<string, string>; version: number }>();
  const issued = new Set<string>();
  const state = {
    roleId: 'role-7c1e4b2a',
    secretId: 'secret-id-5f3a9d1e6b2c8a47',
    rootToken: 'hvs.fake-root-token-3b9d2e71c4a8',
  };
  let n = 0;
  const server = await startFakeServer((req) => {
    if (opts.namespace !== undefined && req.headers['x-vault-namespace'] !== opts.namespace)
      return { status: 403, body: { errors: ['permission denied'] } };
    if (req.method === 'POST' && req.path === '/v1/auth/approle/login') {
      const body = JSON.parse(req.body) as { role_id?: string; secret_id?: string };
      if (body.role_id !== state.roleId || body.secret_id !== state.secretId)
        return { status: 400, body: { errors: ['invalid role or secret ID'] } };
      n += 1;
      const token = `hvs.approle-token-${n}-9f8e7d6c5b4a`;
      issued.add(token);
      return {
        status: 200,
        body: {
          auth: { client_token: token, lease_duration: opts.leaseSec ?? 3600, renewable: true },
        },
      };
    }
    const token = req.headers['x-vault-token'];
    if (token !== state.rootToken && !(typeof token === 'string' && issued.has(token)))
      return { status: 403, body: { errors: ['permission denied'] } };
    const match = /^\/v1\/secret\/data\/(.+)$/.exec(req.path);
    const entry = match === null ? undefined : kv.get(decodeURIComponent(match[1] as string));
    if (req.method !== 'GET' || entry === undefined) return { status: 404, body: { errors: [] } };
    return {
      status: 200,
      body: {
        request_id: 'r1',
        lease_id: '',
        renewable: false,
        lease_duration: 0,
        data: {
          data: entry.data,
          metadata: {
            created_time: '2026-01-01T00:00:00Z',
            deletion_time: '',
            destroyed: false,
            version: entry.version,
          },
        },
      },
    };
  });
  return {
    ...server,
    ...state,
    issued,
    namespace: opts.namespace,
    write(path, data) {
      kv.set(path, { data, version: (kv.get(path)?.version ?? 0) + 1 });
    },
  };
}
