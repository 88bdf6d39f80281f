import { timingSafeEqual } from 'node:crypto';
import type { Secret } from '../../log/secret.js';
import { tokenDigest } from '../bearer.js';

/** `admin` reads and acts; `viewer` only reads. */
export type ConsoleRole = 'admin' | 'viewer';

/** Who a presented admin token names: its role and a label for the operator event log. */
export interface ConsoleIdentity {
  readonly role: ConsoleRole;
  /** Never the token: a name such as `admin` or `oncall-viewer`. */
  readonly label: string;
}

/** Resolves a token typed into the sign-in form; undefined when it names no one. */
export type TokenResolver = (token: string) => ConsoleIdentity | undefined;

/** The single admin token of `BASTION_ADMIN_TOKEN`, compared in constant time. */
export function adminTokenResolver(token: Secret | undefined): TokenResolver {
  const expected = token === undefined ? undefined : tokenDigest(token.reveal());
  return function resolveAdminToken(presented) {
    if (expected === undefined) return undefined;
    return timingSafeEqual(tokenDigest(presented), expected)
      ? { role: 'admin', label: 'admin' }
      : undefined;
  };
}
