import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { Secret } from '../log/secret.js';
import { systemClock, type Clock } from '../util/clock.js';
import { createAccessTokenCache } from './access-token.js';
import type { SecretsConfig } from './config-schema.js';
import { crc32c } from './crc32c.js';
import { secretError } from './errors.js';
import { createSecretHttp, statusError, type SecretHttp } from './http.js';
import type { SourceKit } from './resolver.js';
import type { SecretSource } from './types.js';

type GcpConfig = NonNullable<SecretsConfig['gcp']>;

const COMPONENT = 'secrets:gcp';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';

const serviceAccount = z.object({
  client_email: z.string().min(1),
  private_key: z.string().min(1),
  private_key_id: z.string().optional(),
  token_uri: z.url().optional(),
});
const tokenReply = z.object({ access_token: z.string().min(1), expires_in: z.number() });
const oauthError = z.object({ error: z.string().max(100) });
const accessReply = z.object({
  name: z.string(),
  payload: z.object({
    data: z.string(),
    dataCrc32c: z.union([z.string().regex(/^\d{1,20}$/), z.number()]).optional(),
  }),
});
const googleError = z.object({ error: z.object({ status: z.string().max(100) }) });

/**
 * `gcp:projects/<p>/secrets/<s>[/versions/<v>]`: Google Secret Manager
 * `GET /v1/{name}:access`, payload base64-decoded and checked against `dataCrc32c`. The token
 * comes from the service-account JWT flow: an RS256 assertion signed with the key file's
 * private key, exchanged at its `token_uri` (grant type jwt-bearer). A 401 retries once.
 */
export function createGcpSource(
  deps: { kit: SourceKit; clock?: Clock; http?: SecretHttp },
  opts: GcpConfig & { timeoutMs: number },
): SecretSource<'gcp'> {
  const clock = deps.clock ?? systemClock;
  const http = deps.http ?? createSecretHttp({ timeoutMs: opts.timeoutMs });
  const endpoint = opts.endpoint.replace(/\/+$/, '');

  const tokens = createAccessTokenCache(clock, async (ref) => {
    const key = await readKey(ref);
    const tokenUri = opts.tokenUri ?? key.token_uri ?? DEFAULT_TOKEN_URI;
    const assertion = await signAssertion(ref, key, tokenUri, Math.floor(clock.now() / 1000));
    const body = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion,
    });
    const reply = await http.send(ref, {
      method: 'POST',
      url: tokenUri,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    const parsed = tokenReply.safeParse(reply.json);
    if (reply.status === 200 && parsed.success) {
      deps.kit.addKnownSecret(parsed.data.access_token);
      return { value: parsed.data.access_token, expiresInSec: parsed.data.expires_in };
    }
    if (reply.status === 400 || reply.status === 401) {
      const code = oauthError.safeParse(reply.json);
      const why = code.success ? ` (${code.data.error})` : '';
      throw secretError(
        'secret_auth_failed',
        ref,
        `Google refused the service-account assertion${why}; check the key file`,
      );
    }
    throw secretError(
      'secret_unavailable',
      ref,
      `the Google token endpoint answered HTTP ${reply.status}`,
    );
  });

  async function readKey(ref: string) {
    const text = (await deps.kit.readCredential(opts.credentials, COMPONENT)).reveal();
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      doc = undefined;
    }
    const parsed = serviceAccount.safeParse(doc);
    if (!parsed.success)
      throw secretError(
        'secret_unavailable',
        ref,
        `${opts.credentials} is not a service-account JSON key (client_email, private_key)`,
      );
    return parsed.data;
  }

  async function access(name: string, ref: string) {
    const token = await tokens.get(ref);
    return http.send(ref, {
      method: 'GET',
      url: `${endpoint}/v1/${name}:access`,
      headers: { authorization: `Bearer ${token}` },
    });
  }

  return {
    scheme: 'gcp',
    async resolve(ref) {
      let reply = await access(ref.name, ref.raw);
      if (reply.status === 401) {
        tokens.invalidate();
        reply = await access(ref.name, ref.raw);
      }
      if (reply.status !== 200) throw replyError(ref.raw, reply.status, reply.json);
      const parsed = accessReply.safeParse(reply.json);
      if (!parsed.success)
        throw secretError('secret_unavailable', ref.raw, 'Secret Manager sent an unreadable reply');
      const bytes = Buffer.from(parsed.data.payload.data, 'base64');
      const expected = parsed.data.payload.dataCrc32c;
      if (expected !== undefined && Number(expected) !== crc32c(bytes))
        throw secretError(
          'secret_unavailable',
          ref.raw,
          'the payload failed its CRC32C check; it was not used',
        );
      const value = bytes.toString('utf8');
      if (value === '')
        throw secretError('secret_not_found', ref.raw, 'the secret version is empty');
      return { secret: new Secret(value), version: parsed.data.name.split('/').pop() };
    },
    reset: () => tokens.invalidate(),
    close: () => http.close(),
  };
}

/** The RS256 service-account assertion, signed by jose (no hand-built JWT). */
async function signAssertion(
  ref: string,
  key: z.infer<typeof serviceAccount>,
  aud: string,
  nowSec: number,
): Promise<string> {
  const cannotSign = (err: unknown) =>
    secretError(
      'secret_unavailable',
      ref,
      'the service-account private key cannot sign (not an RSA PEM key?)',
      err,
    );
  let privateKey: KeyObject;
  try {
    // PKCS#8 as Google issues it, or PKCS#1: createPrivateKey reads both.
    privateKey = createPrivateKey(key.private_key);
  } catch (err) {
    throw cannotSign(err);
  }
  try {
    return await new SignJWT({ scope: SCOPE })
      .setProtectedHeader({
        alg: 'RS256',
        typ: 'JWT',
        ...(key.private_key_id ? { kid: key.private_key_id } : {}),
      })
      .setIssuer(key.client_email)
      .setAudience(aud)
      .setIssuedAt(nowSec)
      .setExpirationTime(nowSec + 3600)
      .sign(privateKey);
  } catch (err) {
    throw cannotSign(err);
  }
}

/** Google errors are `{ error: { code, message, status } }`; the status name is not secret. */
function replyError(ref: string, status: number, json: unknown) {
  const parsed = googleError.safeParse(json);
  const name = parsed.success ? parsed.data.error.status : '';
  if (name === 'NOT_FOUND' || name === 'FAILED_PRECONDITION')
    return secretError(
      'secret_not_found',
      ref,
      `Secret Manager has no accessible version (${name})`,
    );
  if (name === 'PERMISSION_DENIED' || name === 'UNAUTHENTICATED')
    return secretError(
      'secret_auth_failed',
      ref,
      `Secret Manager refused the service account (${name}); grant it roles/secretmanager.secretAccessor`,
    );
  return statusError(ref, 'Secret Manager', status);
}
