import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTVerifyGetKey,
} from 'jose';
import { GatewayError } from '../../errors/gateway-error.js';
import type { ErrorCode } from '../../errors/codes.js';
import type { JwtConfig } from '../../policy/config.js';
import type { EndUser } from '../policy/request-policy.js';

export interface JwtVerifier {
  /** A verified end user, or the error that says why not. Never throws. */
  verify(token: string, nowMs: number): Promise<EndUser | GatewayError>;
}

/** Compact JWS: three base64url parts, the header starting `{"` (base64url `eyJ`). */
const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;
const MAX_CLAIM_LENGTH = 128;

export function looksLikeJwt(token: string): boolean {
  return token.length < 16_384 && JWT_SHAPE.test(token);
}

/**
 * End-user tokens verified against a JWKS (a URL, fetched and cached by jose and refetched on
 * an unknown `kid`, or a file read at start). Issuer, audience, expiry and the algorithm
 * allow-list are enforced; `alg: none` and HMAC algorithms never are accepted, so a public key
 * can never be used as an HMAC secret. Each failure has its own code.
 */
export function createJwtVerifier(opts: JwtConfig): JwtVerifier {
  const keys = keySet(opts);
  const allowed = new Set<string>(opts.algorithms);
  return {
    async verify(token, nowMs) {
      let alg: unknown;
      try {
        alg = decodeProtectedHeader(token).alg;
      } catch {
        return new GatewayError('invalid_jwt');
      }
      if (typeof alg !== 'string' || !allowed.has(alg))
        return new GatewayError('jwt_algorithm_refused');
      try {
        const { payload } = await jwtVerify(token, keys, {
          algorithms: opts.algorithms,
          clockTolerance: opts.clockToleranceSec,
          currentDate: new Date(nowMs),
          requiredClaims: ['exp'],
          ...(opts.issuer === undefined ? {} : { issuer: opts.issuer }),
          ...(opts.audience === undefined ? {} : { audience: opts.audience }),
        });
        const id = claim(payload[opts.claims.userId]);
        if (id === undefined)
          return new GatewayError('invalid_jwt', { message: 'The JWT names no user.' });
        return {
          id,
          team: claim(payload[opts.claims.team]),
          tier: claim(payload[opts.claims.tier]),
          source: 'jwt',
        };
      } catch (err) {
        return new GatewayError(codeFor(err), { cause: err });
      }
    },
  };
}

function keySet(opts: JwtConfig): JWTVerifyGetKey {
  if (opts.jwksUrl !== undefined) {
    return createRemoteJWKSet(new URL(opts.jwksUrl), {
      cacheMaxAge: opts.jwksCacheSec * 1000,
      cooldownDuration: 30_000,
      timeoutDuration: 5_000,
    });
  }
  if (opts.jwksFile !== undefined) {
    return createLocalJWKSet(
      JSON.parse(readFileSync(opts.jwksFile, 'utf8')) as Parameters<typeof createLocalJWKSet>[0],
    );
  }
  throw new RangeError('jwt.enabled needs jwt.jwksUrl or jwt.jwksFile');
}

function claim(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value.slice(0, MAX_CLAIM_LENGTH) : undefined;
}

function codeFor(err: unknown): ErrorCode {
  if (err instanceof errors.JWTExpired) return 'jwt_expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return 'jwt_issuer_mismatch';
    if (err.claim === 'aud') return 'jwt_audience_mismatch';
    return 'invalid_jwt';
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'jwt_invalid_signature';
  if (err instanceof errors.JWKSNoMatchingKey) return 'jwt_invalid_signature';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'jwt_algorithm_refused';
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid)
    return 'jwks_unavailable';
  // jose throws its base class (not a subclass) only when the JWKS reply is unusable.
  if (err instanceof errors.JOSEError) {
    return err.constructor === errors.JOSEError ? 'jwks_unavailable' : 'invalid_jwt';
  }
  // Anything else is the JWKS fetch failing (connection refused, bad status): fail closed.
  return 'jwks_unavailable';
}
