import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** An identity provider on 127.0.0.1: a JWKS endpoint and a token signer. */
export interface TestIdp {
  jwksUrl: string;
  /** How many times the JWKS was fetched. */
  readonly fetches: number;
  issuer: string;
  audience: string;
  sign(
    claims: JWTPayload,
    opts?: { expiresInSec?: number; key?: 'trusted' | 'rogue'; nowSec?: number },
  ): Promise<string>;
  jwks: { keys: JWK[] };
  close(): Promise<void>;
}

export async function startTestIdp(): Promise<TestIdp> {
  const trusted = await generateKeyPair('RS256', { extractable: true });
  const rogue = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(trusted.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const jwks = { keys: [jwk] };
  let fetches = 0;
  const server: Server = createServer((_req, res) => {
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(jwks));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const issuer = 'https://idp.bastion.test';
  const audience = 'bastion-gateway';
  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get fetches() {
      return fetches;
    },
    issuer,
    audience,
    jwks,
    sign(claims, opts = {}) {
      const key: PrivateKey = opts.key === 'rogue' ? rogue.privateKey : trusted.privateKey;
      const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: issuer, aud: audience, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuedAt(now)
        .setExpirationTime(now + (opts.expiresInSec ?? 300))
        .sign(key);
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** An unsigned token (`alg: none`), as an attacker would send it. */
export function unsignedToken(claims: JWTPayload): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

/** The gateway's `jwt` section trusting this identity provider; JWT callers get `env`'s limits. */
export function jwtConfig(idp: TestIdp, env = 'staging') {
  return {
    enabled: true,
    jwksUrl: idp.jwksUrl,
    issuer: idp.issuer,
    audience: idp.audience,
    algorithms: ['RS256'],
    env,
  };
}
