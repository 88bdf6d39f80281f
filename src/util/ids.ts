import { randomBytes } from 'node:crypto';

/** Request ids: time-sortable prefix plus randomness, safe in headers and logs. */
export function newRequestId(): string {
  return `req_${Date.now().toString(36)}${randomBytes(9).toString('base64url')}`;
}

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
