import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ConsoleStore } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import type { AdminIdentity } from '../admin/auth.js';

/** One signed-in operator. The admin token itself is never kept: only who it named. */
export interface ConsoleSession {
  readonly identity: AdminIdentity;
  /** Sent back in `x-csrf-token` on every state-changing call. */
  readonly csrfToken: string;
  readonly createdAtMs: number;
  readonly lastSeenMs: number;
}

export interface SessionOptions {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after sign-in, used or not. */
  maxAgeMs: number;
  /** Sessions kept at most; signing in past it ends the least recently used one. */
  maxSessions: number;
}

export const DEFAULT_SESSION_OPTIONS: SessionOptions = {
  idleMs: 30 * 60_000,
  maxAgeMs: 12 * 3_600_000,
  maxSessions: 256,
};

export interface SessionStore {
  /** A new session; returns its id (the cookie value, 256 random bits). */
  create(identity: AdminIdentity): Promise<{ id: string; session: ConsoleSession }>;
  /** The live session of that id (its idle timer restarted), or undefined. */
  get(id: string | undefined): Promise<ConsoleSession | undefined>;
  end(id: string | undefined): Promise<void>;
}

export type SessionRows = Pick<
  ConsoleStore,
  | 'insertConsoleSession'
  | 'findConsoleSession'
  | 'touchConsoleSession'
  | 'deleteConsoleSession'
  | 'purgeConsoleSessions'
>;

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

const tokenHash = (id: string) => createHash('sha256').update(id).digest('hex');

/**
 * The CSRF token of a session, derived from its id: every replica computes the same one, and
 * the store (which holds only the id's SHA-256) cannot.
 */
const csrfOf = (id: string) =>
  createHash('sha256').update('bastion console csrf\0').update(id).digest('base64url');

/**
 * Console sessions in the store, so every replica sharing it knows them: a cookie names a
 * session, the session names an identity. Only the SHA-256 of the session id is stored. Each
 * call reads the store (no cache), so a sign-out on one replica holds on all at once; the last
 * use is written at most every `idleMs / 10` (one minute at most) to spare the store a write
 * per page.
 */
export function createSessionStore(
  deps: { rows: SessionRows; clock: Clock },
  opts: SessionOptions,
): SessionStore {
  const { rows, clock } = deps;
  const touchEveryMs = Math.min(60_000, opts.idleMs / 10);
  const expiry = (createdAtMs: number, seenMs: number) =>
    Math.min(createdAtMs + opts.maxAgeMs, seenMs + opts.idleMs);
  return {
    async create(identity) {
      const nowMs = clock.now();
      await rows.purgeConsoleSessions(nowMs, opts.maxSessions - 1);
      const id = randomBytes(32).toString('base64url');
      await rows.insertConsoleSession({
        tokenHash: tokenHash(id),
        role: identity.role,
        label: identity.label,
        createdAtMs: nowMs,
        lastSeenMs: nowMs,
        expiresAtMs: expiry(nowMs, nowMs),
      });
      const session = { identity, csrfToken: csrfOf(id), createdAtMs: nowMs, lastSeenMs: nowMs };
      return { id, session };
    },
    async get(id) {
      if (id === undefined || !TOKEN.test(id)) return undefined;
      const hash = tokenHash(id);
      const row = await rows.findConsoleSession(hash);
      if (row === undefined) return undefined;
      const nowMs = clock.now();
      if (nowMs >= row.expiresAtMs) {
        await rows.deleteConsoleSession(hash);
        return undefined;
      }
      let lastSeenMs = row.lastSeenMs;
      if (nowMs - lastSeenMs >= touchEveryMs) {
        lastSeenMs = nowMs;
        const isLive = await rows.touchConsoleSession(hash, nowMs, expiry(row.createdAtMs, nowMs));
        if (!isLive) return undefined;
      }
      const identity = { role: row.role, label: row.label };
      return { identity, csrfToken: csrfOf(id), createdAtMs: row.createdAtMs, lastSeenMs };
    },
    async end(id) {
      if (id !== undefined && TOKEN.test(id)) await rows.deleteConsoleSession(tokenHash(id));
    },
  };
}

/** The CSRF header matches the session's token (constant time). */
export function isCsrfValid(session: ConsoleSession, header: string | string[] | undefined) {
  if (typeof header !== 'string') return false;
  const a = Buffer.from(header);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}
