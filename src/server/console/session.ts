import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../util/clock.js';
import type { AdminIdentity } from '../admin/auth.js';

/** One signed-in operator. The admin token itself is never kept: only who it named. */
export interface ConsoleSession {
  readonly identity: AdminIdentity;
  /** Sent back in `x-csrf-token` on every state-changing call. */
  readonly csrfToken: string;
  readonly createdAtMs: number;
  lastSeenMs: number;
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
  create(identity: AdminIdentity): { id: string; session: ConsoleSession };
  /** The live session of that id (its idle timer restarted), or undefined. */
  get(id: string | undefined): ConsoleSession | undefined;
  end(id: string | undefined): void;
  readonly size: number;
}

/**
 * Console sessions in this process's memory: a cookie names a session, the session names an
 * identity. Replicas do not share them; behind a load balancer, pin the console to one replica.
 */
export function createSessionStore(clock: Clock, opts: SessionOptions): SessionStore {
  // Map order is insertion order; `get` re-inserts, so the first entry is the least recently used.
  const sessions = new Map<string, ConsoleSession>();
  const isLive = (s: ConsoleSession, nowMs: number) =>
    nowMs - s.lastSeenMs < opts.idleMs && nowMs - s.createdAtMs < opts.maxAgeMs;
  return {
    create(identity) {
      const nowMs = clock.now();
      for (const [id, s] of sessions) if (!isLive(s, nowMs)) sessions.delete(id);
      while (sessions.size >= opts.maxSessions) {
        const oldest = sessions.keys().next().value;
        if (oldest === undefined) break;
        sessions.delete(oldest);
      }
      const id = randomBytes(32).toString('base64url');
      const session: ConsoleSession = {
        identity,
        csrfToken: randomBytes(32).toString('base64url'),
        createdAtMs: nowMs,
        lastSeenMs: nowMs,
      };
      sessions.set(id, session);
      return { id, session };
    },
    get(id) {
      if (id === undefined) return undefined;
      const session = sessions.get(id);
      if (session === undefined) return undefined;
      const nowMs = clock.now();
      sessions.delete(id);
      if (!isLive(session, nowMs)) return undefined;
      session.lastSeenMs = nowMs;
      sessions.set(id, session);
      return session;
    },
    end(id) {
      if (id !== undefined) sessions.delete(id);
    },
    get size() {
      return sessions.size;
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
