import { randomBytes } from 'node:crypto';

/** Random bytes for request ids come from a pool refilled 4 KiB at a time (one syscall per ~450 ids). */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

function pooledRandom(n: number): Buffer {
  if (offset + n > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + n);
  offset += n;
  return bytes;
}

/** Request ids: time-sortable prefix plus randomness, safe in headers and logs. */
export function newRequestId(): string {
  return `req_${Date.now().toString(36)}${pooledRandom(9).toString('base64url')}`;
}

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
