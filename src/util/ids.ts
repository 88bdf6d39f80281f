import { randomBytes } from 'node:crypto';

/** Random bytes for request ids come from a pool refilled 4 KiB at a time (one syscall per ~450 ids). */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The next 9 pooled random bytes as 12 base64url characters, with no Buffer view per id. */
function randomSuffix(): string {
  if (offset + 9 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  let out = '';
  for (const end = offset + 9; offset < end; offset += 3) {
    const n =
      ((pool[offset] as number) << 16) |
      ((pool[offset + 1] as number) << 8) |
      (pool[offset + 2] as number);
    out +=
      BASE64URL.charAt(n >>> 18) +
      BASE64URL.charAt((n >>> 12) & 63) +
      BASE64URL.charAt((n >>> 6) & 63) +
      BASE64URL.charAt(n & 63);
  }
  return out;
}

/** `req_` and the time in base 36, remade only when the millisecond changes. */
let idPrefixMs = -1;
let idPrefix = '';

/** Request ids: time-sortable prefix plus randomness, safe in headers and logs. */
export function newRequestId(): string {
  const now = Date.now();
  if (now !== idPrefixMs) {
    idPrefixMs = now;
    idPrefix = `req_${now.toString(36)}`;
  }
  return idPrefix + randomSuffix();
}

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
