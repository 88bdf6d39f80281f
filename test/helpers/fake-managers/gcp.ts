import { generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { crc32c } from '../../../src/secrets/crc32c.js';
import { startFakeServer, type FakeServer } from './server.js';

/**
 * Google OAuth (service-account JWT bearer) and Secret Manager, the documented subset:
 * `POST /token` (grant_type jwt-bearer, assertion = RS256 JWT with iss, scope, aud, iat, exp)
 * → `{ access_token, expires_in, token_type }` or 400 `{ error: "invalid_grant" }`;
 * `GET /v1/projects/p/secrets/s/versions/v:access` → `{ name, payload: { data, dataCrc32c } }`,
 * or `{ error: { code, message, status } }` with 401, 403 PERMISSION_DENIED, 404 NOT_FOUND.
 */
export interface FakeGcp extends FakeServer {
  /** A service-account key file whose token_uri points at this server. */
  keyFile: string;
  clientEmail: string;
  issued: Set<string>;
  /** Projects the service account may read. */
  allowedProjects: Set<string>;
  addVersion(project: string, secret: string, value: string): number;
  /** Next access answers with a wrong checksum. */
  corruptNext(): void;
}

export async function startFakeGcp(): Promise<FakeGcp> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientEmail = 'bastion@fake-project.iam.gserviceaccount.com';
  const issued = new Set<string>();
  const allowedProjects = new Set(['fake-project']);
  const versions = new Map<string, string[]>();
  let corrupt = false;
  let url = '';
  const gerr = (code: number, status: string) => ({
    status: code,
    body: { error: { code, message: `${status} (fake)`, status } },
  });

  const server = await startFakeServer((req) => {
    if (req.method === 'POST' && req.path === '/token') {
      const form = new URLSearchParams(req.body);
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
        return { status: 400, body: { error: 'unsupported_grant_type' } };
      const [h = '', c = '', s = ''] = (form.get('assertion') ?? '').split('.');
      const claims = JSON.parse(Buffer.from(c, 'base64url').toString() || '{}') as Record<
        string,
        unknown
      >;
      const header = JSON.parse(Buffer.from(h, 'base64url').toString() || '{}') as Record<
        string,
        unknown
      >;
      const ok =
        header.alg === 'RS256' &&
        verify('RSA-SHA256', Buffer.from(`${h}.${c}`), publicKey, Buffer.from(s, 'base64url')) &&
        claims.iss === clientEmail &&
        claims.aud === `${url}/token` &&
        claims.scope === 'https://www.googleapis.com/auth/cloud-platform' &&
        typeof claims.exp === 'number' &&
        typeof claims.iat === 'number' &&
        claims.exp - claims.iat <= 3600;
      if (!ok)
        return {
          status: 400,
          body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' },
        };
      const token = `ya29.fake-${randomBytes(24).toString('base64url')}`;
      issued.add(token);
      return { status: 200, body: { access_token: token, expires_in: 3599, token_type: 'Bearer' } };
    }
    const m = /^\/v1\/projects\/([^/]+)\/secrets\/([^/]+)\/versions\/([^/:]+):access$/.exec(
      req.path,
    );
    if (req.method !== 'GET' || m === null) return gerr(400, 'INVALID_ARGUMENT');
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined || !issued.has(token)) return gerr(401, 'UNAUTHENTICATED');
    const [, project, secret, which] = m as unknown as [string, string, string, string];
    if (!allowedProjects.has(project)) return gerr(403, 'PERMISSION_DENIED');
    const list = versions.get(`${project}/${secret}`) ?? [];
    const index = which === 'latest' ? list.length : Number(which);
    const value = list[index - 1];
    if (value === undefined) return gerr(404, 'NOT_FOUND');
    const data = Buffer.from(value);
    const checksum = crc32c(data) ^ (corrupt ? 1 : 0);
    corrupt = false;
    return {
      status: 200,
      body: {
        name: `projects/123456789/secrets/${secret}/versions/${index}`,
        payload: { data: data.toString('base64'), dataCrc32c: String(checksum >>> 0) },
      },
    };
  });
  url = server.url;
  const keyFile = JSON.stringify({
    type: 'service_account',
    project_id: 'fake-project',
    private_key_id: 'fake-key-id-1',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: clientEmail,
    client_id: '100000000000000000001',
    token_uri: `${url}/token`,
  });
  return {
    ...server,
    keyFile,
    clientEmail,
    issued,
    allowedProjects,
    addVersion(project, secret, value) {
      const list = [...(versions.get(`${project}/${secret}`) ?? []), value];
      versions.set(`${project}/${secret}`, list);
      return list.length;
    },
    corruptNext() {
      corrupt = true;
    },
  };
}
