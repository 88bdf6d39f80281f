import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Secret } from '../../log/secret.js';
import { tokenDigest } from '../bearer.js';
import { adminError, type AdminResponse } from './response.js';

export type AdminRole = 'admin' | 'viewer';

/** Who is calling the admin API: the token's label and role, never its value. */
export interface AdminIdentity {
  readonly role: AdminRole;
  readonly label: string;
}

/** One configured admin token. `current()` follows secret reloads. */
export interface AdminCredential {
  readonly label: string;
  readonly role: AdminRole;
  current(): Secret;
}

export type AdminAuthResult =
  { readonly identity: AdminIdentity } | { readonly refusal: AdminResponse };

export interface AdminAuth {
  /**
   * Reads the bearer token of a control-plane request: the caller's identity, or the refusal to
   * send (`admin_disabled` with no token configured, `admin_unauthorized` for a missing or
   * unknown token). The web console calls this too.
   */
  authorize(req: Pick<IncomingMessage, 'headers'>): AdminAuthResult;
  /** Whether a role may call a route with this method: a viewer reads (GET) only. */
  mayCall(role: AdminRole, method: string): boolean;
  /** Replaces the token list (config reload); requests already authorized are unaffected. */
  replace(credentials: readonly AdminCredential[]): void;
  readonly isEnabled: boolean;
}

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Admin tokens compared in constant time: the presented token is hashed once and compared with
 * every credential's digest (no early exit, so the position of a match is not revealed either).
 * Digests are cached per `Secret` object, so a reloaded value is hashed once.
 */
export function createAdminAuth(credentials: readonly AdminCredential[]): AdminAuth {
  let current = credentials;
  const digests = new WeakMap<Secret, Buffer>();
  const digestOf = (secret: Secret): Buffer => {
    let digest = digests.get(secret);
    if (digest === undefined) {
      digest = tokenDigest(secret.reveal());
      digests.set(secret, digest);
    }
    return digest;
  };
  return {
    get isEnabled() {
      return current.length > 0;
    },
    authorize(req) {
      if (current.length === 0) {
        return {
          refusal: adminError(
            'admin_disabled',
            'The admin API is disabled: set BASTION_ADMIN_TOKEN or controlPlane.admin.tokens.',
          ),
        };
      }
      const header = req.headers.authorization;
      const token = BEARER.exec(typeof header === 'string' ? header : '')?.[1];
      let found: AdminCredential | undefined;
      if (token !== undefined) {
        const presented = tokenDigest(token);
        for (const credential of current) {
          if (timingSafeEqual(presented, digestOf(credential.current()))) found ??= credential;
        }
      }
      if (found === undefined) {
        return {
          refusal: adminError('admin_unauthorized', 'Send "Authorization: Bearer <admin token>".'),
        };
      }
      return { identity: { role: found.role, label: found.label } };
    },
    mayCall(role, method) {
      return role === 'admin' || method === 'GET';
    },
    replace(next) {
      current = next;
    },
  };
}

/** A refusal for a viewer that tried an action. */
export function roleRefusal(identity: AdminIdentity): AdminResponse {
  return adminError(
    'admin_role_forbidden',
    `The token "${identity.label}" has the viewer role: it may read (GET), not act.`,
  );
}
