import { timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Environment, KeyStore, VirtualKeyRecord } from '../../store/types.js';
import type { RequestContext, RequestHeaders } from '../context.js';
import type { Stage, Verdict } from '../stage.js';
import { looksLikeJwt, type JwtVerifier } from './jwt.js';
import { hashVirtualKey, isWellFormedVirtualKey } from './virtual-key.js';

export interface AuthenticateDeps {
  keys: Pick<KeyStore, 'findKeyByHash' | 'findKeyByHashNow'>;
  /** End-user JWTs, when enabled; their callers get the limits of `env`. */
  jwt?: { verifier: JwtVerifier; env: Environment } | undefined;
  /**
   * True for an Origin of a browser page allowed by CORS that may not present a virtual key
   * (server.cors.allowVirtualKeys off); such pages must sign users in with a JWT.
   */
  refusesVirtualKeyFrom?: ((origin: string) => boolean) | undefined;
}

/**
 * Reads headers only: an unauthenticated caller never makes the gateway parse a body.
 * OpenAI clients send `Authorization: Bearer`, Anthropic clients `x-api-key`.
 */
export function createAuthenticateStage(deps: AuthenticateDeps): Stage {
  return {
    name: 'authenticate',
    run: function authenticate(ctx: RequestContext): Verdict | Promise<Verdict> {
      const presented = presentedKey(ctx.headers);
      if (presented === undefined) return new GatewayError('missing_api_key');
      if (looksLikeJwt(presented)) return authenticateJwt(ctx, presented, deps.jwt);
      const origin = ctx.headers.origin;
      if (typeof origin === 'string' && deps.refusesVirtualKeyFrom?.(origin) === true) {
        // Before the lookup: the answer says nothing about whether the key is valid.
        return new GatewayError('virtual_key_from_browser');
      }
      if (!isWellFormedVirtualKey(presented)) return new GatewayError('malformed_api_key');
      const hash = hashVirtualKey(presented);
      // A store failure throws (or rejects) `store_unavailable`: the runner refuses with it.
      if (deps.keys.findKeyByHashNow !== undefined) {
        return admit(ctx, hash, deps.keys.findKeyByHashNow(hash));
      }
      return deps.keys.findKeyByHash(hash).then((record) => admit(ctx, hash, record));
    },
  };
}

/** The verdict on the key found for `hash`; on success the caller is set. */
function admit(ctx: RequestContext, hash: string, record: VirtualKeyRecord | undefined): Verdict {
  if (record === undefined || !isSameHash(record.hash, hash)) {
    return new GatewayError('invalid_api_key');
  }
  if (record.revokedAtMs !== null || isExpired(record.expiresAtMs, ctx.clock.now())) {
    ctx.presentedKeyPrefix = record.prefix;
    return new GatewayError(record.revokedAtMs !== null ? 'key_revoked' : 'key_expired');
  }
  ctx.caller = { key: record, env: record.env, user: undefined };
  return undefined;
}

async function authenticateJwt(
  ctx: RequestContext,
  token: string,
  jwt: AuthenticateDeps['jwt'],
): Promise<Verdict> {
  if (jwt === undefined) return new GatewayError('jwt_not_accepted');
  const user = await jwt.verifier.verify(token, ctx.clock.now());
  if (user instanceof GatewayError) return user;
  ctx.caller = { key: undefined, env: jwt.env, user };
  return undefined;
}

/**
 * A caller may still send a provider key in one header while migrating; the header that
 * holds a Bastion key wins, and provider keys are never used or forwarded.
 */
function presentedKey(headers: RequestHeaders): string | undefined {
  const authorization = headers.authorization;
  const bearer =
    typeof authorization === 'string' && authorization !== ''
      ? (/^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] ?? authorization.trim())
      : undefined;
  const apiKey = headers['x-api-key'];
  const xApiKey = typeof apiKey === 'string' && apiKey.trim() !== '' ? apiKey.trim() : undefined;
  if (bearer !== undefined && xApiKey !== undefined && !bearer.startsWith('bk_')) return xApiKey;
  return bearer ?? xApiKey;
}

function isExpired(expiresAtMs: number | null, nowMs: number): boolean {
  return expiresAtMs !== null && expiresAtMs <= nowMs;
}

function isSameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
