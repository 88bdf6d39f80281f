import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a token: compared digests take the same time whatever the token's length. */
export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** `Authorization: Bearer <token>` matching `expected` (a `tokenDigest`), in constant time. */
export function isBearer(header: string | undefined, expected: Buffer): boolean {
  const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
  if (token === undefined) return false;
  return timingSafeEqual(tokenDigest(token), expected);
}
