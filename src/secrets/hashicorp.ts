import { z } from 'zod';
import { Secret } from '../log/secret.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { SecretsConfig } from './config-schema.js';
import { secretError } from './errors.js';
import { createSecretHttp, statusError, type SecretHttp } from './http.js';
import { pickField } from './pick-field.js';
import type { SourceKit } from './resolver.js';
import type { RefOf, SecretSource } from './types.js';

type HashicorpConfig = NonNullable<SecretsConfig['hashicorp']>;

const kvReply = z.object({
  data: z.object({
    data: z.record(z.string(), z.unknown()),
    metadata: z.object({ version: z.number().int() }).partial().nullish(),
  }),
});

const loginReply = z.object({
  auth: z.object({ client_token: z.string().min(1), lease_duration: z.number().int().min(0) }),
});

interface Token {
  value: string;
  expiresAtMs: number;
  /** Obtained by login (AppRole), so a 403 may mean it expired and a fresh login may help. */
  isLogin: boolean;
}

const COMPONENT = 'secrets:hashicorp';

/**
 * `hcv:<mount>/data/<path>[#field]`: HashiCorp Vault KV v2 (`GET /v1/<mount>/data/<path>`).
 * Token auth reads the token reference at each login; AppRole logs in at
 * `POST /v1/auth/<mount>/login` and keeps the client token until its lease ends, then logs in
 * again; a 403 on a login token triggers one fresh login before it counts as an auth failure.
 */
export function createHashicorpSource(
  deps: { kit: SourceKit; clock?: Clock; http?: SecretHttp },
  opts: HashicorpConfig & { timeoutMs: number },
): SecretSource<'hcv'> {
  // Long by design: login, lease tracking and fetch share the cached client token.
  const clock = deps.clock ?? systemClock;
  const http = deps.http ?? createSecretHttp({ timeoutMs: opts.timeoutMs });
  const address = opts.address.replace(/\/+$/, '');
  let token: Promise<Token> | undefined;

  function headers(value: string): Record<string, string> {
    const h: Record<string, string> = { 'x-vault-token': value, accept: 'application/json' };
    if (opts.namespace !== undefined) h['x-vault-namespace'] = opts.namespace;
    return h;
  }

  async function obtainToken(ref: string): Promise<Token> {
    const { auth } = opts;
    if (auth.method === 'token') {
      const value = (await deps.kit.readCredential(auth.token, COMPONENT)).reveal();
      return { value, expiresAtMs: Number.POSITIVE_INFINITY, isLogin: false };
    }
    const body = JSON.stringify({
      role_id: (await deps.kit.readCredential(auth.roleId, COMPONENT)).reveal(),
      secret_id: (await deps.kit.readCredential(auth.secretId, COMPONENT)).reveal(),
    });
    const url = `${address}/v1/auth/${auth.mount}/login`;
    const reply = await http.send(ref, { method: 'POST', url, headers: loginHeaders(), body });
    if (reply.status === 400 || reply.status === 401 || reply.status === 403)
      throw secretError(
        'secret_auth_failed',
        ref,
        `Vault refused the AppRole login (HTTP ${reply.status}); check the role id and secret id`,
      );
    const parsed = loginReply.safeParse(reply.json);
    if (reply.status !== 200 || !parsed.success)
      throw secretError(
        'secret_unavailable',
        ref,
        `Vault AppRole login answered HTTP ${reply.status} without a token`,
      );
    deps.kit.addKnownSecret(parsed.data.auth.client_token);
    const leaseMs = parsed.data.auth.lease_duration * 1000;
    // Renew by logging in again a little before the lease ends (0 means no expiry).
    const expiresAtMs = leaseMs === 0 ? Number.POSITIVE_INFINITY : clock.now() + leaseMs * 0.9;
    return { value: parsed.data.auth.client_token, expiresAtMs, isLogin: true };
  }

  function loginHeaders(): Record<string, string> {
    const h: Record<string, string> = { 'content-type': 'application/json' };
    if (opts.namespace !== undefined) h['x-vault-namespace'] = opts.namespace;
    return h;
  }

  async function currentToken(ref: string): Promise<Token> {
    const held = token === undefined ? undefined : await token.catch(() => undefined);
    if (held !== undefined && clock.now() < held.expiresAtMs) return held;
    const pending = obtainToken(ref);
    token = pending;
    pending.catch(() => {
      if (token === pending) token = undefined;
    });
    return pending;
  }

  async function read(ref: RefOf<'hcv'>, tok: Token) {
    const path = ref.path.split('/').map(encodeURIComponent).join('/');
    const url = `${address}/v1/${ref.mount}/data/${path}`;
    return http.send(ref.raw, { method: 'GET', url, headers: headers(tok.value) });
  }

  return {
    scheme: 'hcv',
    async resolve(ref) {
      let tok = await currentToken(ref.raw);
      let reply = await read(ref, tok);
      if (reply.status === 403 && tok.isLogin) {
        token = undefined;
        tok = await currentToken(ref.raw);
        reply = await read(ref, tok);
      }
      if (reply.status !== 200) throw statusError(ref.raw, 'Vault', reply.status);
      const parsed = kvReply.safeParse(reply.json);
      if (!parsed.success)
        throw secretError(
          'secret_unavailable',
          ref.raw,
          'Vault answered without KV v2 data; is the mount a KV version 2 engine?',
        );
      const value = pickField(ref.raw, parsed.data.data.data, ref.field);
      const version = parsed.data.data.metadata?.version;
      return {
        secret: new Secret(value),
        version: version === undefined ? undefined : String(version),
      };
    },
    reset() {
      token = undefined;
    },
    close: () => http.close(),
  };
}
