import { randomBytes } from 'node:crypto';
import { startFakeServer, type FakeServer } from './server.js';

/**
 * Microsoft Entra ID client-credentials token endpoint and Azure Key Vault, the documented
 * subset: `POST /{tenant}/oauth2/v2.0/token` (form: grant_type, client_id, client_secret,
 * scope) → `{ token_type, expires_in, access_token }` or 400/401 `{ error: "invalid_client" }`;
 * `GET /{vault}/secrets/{name}[/{version}]?api-version=7.4` → `{ value, id, attributes }`, or
 * 401 `Unauthorized`, 403 `Forbidden`, 404 `SecretNotFound` as `{ error: { code, message } }`.
 */
export interface FakeAzure extends FakeServer {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Live access tokens; clear to simulate expiry or revocation. */
  issued: Set<string>;
  /** Vault names the client may read (RBAC). */
  allowedVaults: Set<string>;
  set(vault: string, name: string, value: string): string;
}

export async function startFakeAzure(): Promise<FakeAzure> {
  const state = {
    tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    clientId: 'a1b2c3d4-0000-4000-8000-00000000c1e7',
    clientSecret: 'fake~azure~client~secret~5Q8xR2',
  };
  const issued = new Set<string>();
  const allowedVaults = new Set<string>(['bastion-kv']);
  const secrets = new Map<string, { value: string; version: string }[]>();
  const err = (status: number, code: string) => ({
    status,
    body: { error: { code, message: `${code} (fake)` } },
  });

  const server = await startFakeServer((req) => {
    if (req.method === 'POST' && req.path === `/${state.tenantId}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(req.body);
      if (
        form.get('grant_type') !== 'client_credentials' ||
        form.get('scope') !== 'https://vault.azure.net/.default'
      )
        return { status: 400, body: { error: 'invalid_request' } };
      if (
        form.get('client_id') !== state.clientId ||
        form.get('client_secret') !== state.clientSecret
      )
        return {
          status: 401,
          body: {
            error: 'invalid_client',
            error_description: 'AADSTS7000215: Invalid client secret provided.',
          },
        };
      const token = `eyJ0eXAiOiJKV1QifQ.${randomBytes(24).toString('base64url')}.sig`;
      issued.add(token);
      return {
        status: 200,
        body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token },
      };
    }
    const m =
      /^\/([a-z0-9-]+)\/secrets\/([A-Za-z0-9-]+)(?:\/([0-9a-f]{32}))?\?api-version=7\.4$/.exec(
        req.path,
      );
    if (req.method !== 'GET' || m === null) return err(400, 'BadParameter');
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined || !issued.has(token)) return err(401, 'Unauthorized');
    const [, vault, name, version] = m as unknown as [string, string, string, string | undefined];
    if (!allowedVaults.has(vault)) return err(403, 'Forbidden');
    const versions = secrets.get(`${vault}/${name}`) ?? [];
    const entry =
      version === undefined ? versions.at(-1) : versions.find((v) => v.version === version);
    if (entry === undefined) return err(404, 'SecretNotFound');
    return {
      status: 200,
      body: {
        value: entry.value,
        id: `https://${vault}.vault.azure.net/secrets/${name}/${entry.version}`,
        attributes: {
          enabled: true,
          created: 1767225600,
          updated: 1767225600,
          recoveryLevel: 'Recoverable+Purgeable',
        },
      },
    };
  });
  return {
    ...server,
    ...state,
    issued,
    allowedVaults,
    set(vault, name, value) {
      const version = randomBytes(16).toString('hex');
      secrets.set(`${vault}/${name}`, [
        ...(secrets.get(`${vault}/${name}`) ?? []),
        { value, version },
      ]);
      return version;
    },
  };
}
