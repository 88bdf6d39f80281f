import { z } from 'zod';
import { Secret } from '../log/secret.js';
import { systemClock, type Clock } from '../util/clock.js';
import { createAccessTokenCache } from './access-token.js';
import type { SecretsConfig } from './config-schema.js';
import { secretError } from './errors.js';
import { createSecretHttp, statusError, type SecretHttp } from './http.js';
import type { SourceKit } from './resolver.js';
import type { RefOf, SecretSource } from './types.js';

type AzureConfig = NonNullable<SecretsConfig['azure']>;

const COMPONENT = 'secrets:azure';
const API_VERSION = '7.4';

const tokenReply = z.object({
  access_token: z.string().min(1),
  expires_in: z.union([
    z.number(),
    z
      .string()
      .regex(/^\d{1,10}$/)
      .transform(Number),
  ]),
});
const oauthError = z.object({ error: z.string().max(100) });
const secretReply = z.object({
  value: z.string(),
  id: z.string().optional(),
  attributes: z.object({ enabled: z.boolean().optional() }).partial().optional(),
});
const kvError = z.object({ error: z.object({ code: z.string().max(100) }) });

/**
 * `azure:<vault>/<name>[/<version>]`: Azure Key Vault `GET {vault}/secrets/{name}[/{version}]
 * ?api-version=7.4` with a bearer token from the Microsoft identity platform's
 * client-credentials flow (`POST {authority}/{tenant}/oauth2/v2.0/token`, scope
 * `https://vault.azure.net/.default`). A 401 drops the token and retries once.
 */
export function createAzureSource(
  deps: { kit: SourceKit; clock?: Clock; http?: SecretHttp },
  opts: AzureConfig & { timeoutMs: number },
): SecretSource<'azure'> {
  const clock = deps.clock ?? systemClock;
  const http = deps.http ?? createSecretHttp({ timeoutMs: opts.timeoutMs });
  const read = async (value: string) =>
    /^(env|file):/.test(value) ? (await deps.kit.readCredential(value, COMPONENT)).reveal() : value;

  const tokens = createAccessTokenCache(clock, async (ref) => {
    const tenant = await read(opts.tenantId);
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: await read(opts.clientId),
      client_secret: await read(opts.clientSecret),
      scope: scopeOf(opts.vaultUrl),
    });
    const url = `${opts.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`;
    const reply = await http.send(ref, {
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    const parsed = tokenReply.safeParse(reply.json);
    if (reply.status === 200 && parsed.success) {
      deps.kit.addKnownSecret(parsed.data.access_token);
      return { value: parsed.data.access_token, expiresInSec: parsed.data.expires_in };
    }
    const code = oauthError.safeParse(reply.json);
    if (reply.status === 400 || reply.status === 401) {
      const why = code.success ? ` (${code.data.error})` : '';
      throw secretError(
        'secret_auth_failed',
        ref,
        `Microsoft Entra ID refused the client credentials${why}; check tenant, client id and secret`,
      );
    }
    throw secretError(
      'secret_unavailable',
      ref,
      `the Microsoft Entra ID token endpoint answered HTTP ${reply.status}`,
    );
  });

  async function get(ref: RefOf<'azure'>) {
    const base = opts.vaultUrl.replace('{vault}', ref.vault).replace(/\/+$/, '');
    const path = ref.version === undefined ? ref.name : `${ref.name}/${ref.version}`;
    const url = `${base}/secrets/${path}?api-version=${API_VERSION}`;
    const token = await tokens.get(ref.raw);
    return http.send(ref.raw, {
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${token}` },
    });
  }

  return {
    scheme: 'azure',
    async resolve(ref) {
      let reply = await get(ref);
      if (reply.status === 401) {
        tokens.invalidate();
        reply = await get(ref);
      }
      if (reply.status !== 200) throw replyError(ref.raw, reply.status, reply.json);
      const parsed = secretReply.safeParse(reply.json);
      if (!parsed.success)
        throw secretError('secret_unavailable', ref.raw, 'Key Vault sent an unreadable reply');
      if (parsed.data.value === '')
        throw secretError('secret_not_found', ref.raw, 'the secret is empty');
      return { secret: new Secret(parsed.data.value), version: parsed.data.id?.split('/').pop() };
    },
    reset: () => tokens.invalidate(),
    close: () => http.close(),
  };
}

/** The token audience: `https://vault.azure.net/.default`, or the sovereign cloud's suffix. */
function scopeOf(vaultUrl: string): string {
  const m = /^https:\/\/\{vault\}\.([a-z0-9.-]+)\/?$/.exec(vaultUrl);
  return `https://${m?.[1] ?? 'vault.azure.net'}/.default`;
}

function replyError(ref: string, status: number, json: unknown) {
  const parsed = kvError.safeParse(json);
  const code = parsed.success ? parsed.data.error.code : '';
  if (code === 'SecretNotFound')
    return secretError('secret_not_found', ref, 'Key Vault has no such secret (SecretNotFound)');
  if (status === 403 && code !== '')
    return secretError(
      'secret_auth_failed',
      ref,
      `Key Vault denied access (${code}); check the access policy or RBAC role, and that the secret is enabled`,
    );
  return statusError(ref, 'Key Vault', status);
}
