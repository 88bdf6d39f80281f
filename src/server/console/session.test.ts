import { describe, expect, it } from 'vitest';
import { fakeClock } from '../../../test/helpers/secrets.js';
import { createSessionStore, isCsrfValid } from './session.js';

const admin = { role: 'admin', label: 'admin' } as const;
const opts = { idleMs: 60_000, maxAgeMs: 600_000, maxSessions: 3 };

describe('console sessions', () => {
  it('finds a session by its id, and not by anything else', () => {
    const store = createSessionStore(fakeClock(), opts);
    const { id, session } = store.create(admin);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(store.get(id)).toBe(session);
    expect(store.get(undefined)).toBeUndefined();
    expect(store.get(`${id}x`)).toBeUndefined();
    expect(store.get(session.csrfToken)).toBeUndefined();
  });

  it('ends a session left idle, and one past its maximum age even when used', () => {
    const clock = fakeClock();
    const store = createSessionStore(clock, opts);
    const idle = store.create(admin).id;
    const busy = store.create(admin).id;
    for (let t = 0; t < 10; t++) {
      clock.advance(59_000);
      expect(store.get(busy)).toBeDefined();
    }
    expect(store.get(idle)).toBeUndefined();
    clock.advance(59_000);
    expect(store.get(busy)).toBeUndefined();
  });

  it('keeps at most maxSessions, dropping the least recently used', () => {
    const store = createSessionStore(fakeClock(), opts);
    const [a, b, c] = [store.create(admin).id, store.create(admin).id, store.create(admin).id];
    store.get(a);
    const d = store.create(admin).id;
    expect(store.size).toBe(3);
    expect([a, b, c, d].map((id) => store.get(id) !== undefined)).toEqual([
      true,
      false,
      true,
      true,
    ]);
  });

  it('ends a session on sign-out', () => {
    const store = createSessionStore(fakeClock(), opts);
    const { id } = store.create(admin);
    store.end(id);
    expect(store.get(id)).toBeUndefined();
  });

  it('accepts only the exact CSRF token of the session', () => {
    const store = createSessionStore(fakeClock(), opts);
    const { session } = store.create(admin);
    const other = store.create(admin).session;
    expect(isCsrfValid(session, session.csrfToken)).toBe(true);
    expect(isCsrfValid(session, other.csrfToken)).toBe(false);
    expect(isCsrfValid(session, undefined)).toBe(false);
    expect(isCsrfValid(session, '')).toBe(false);
    expect(isCsrfValid(session, [session.csrfToken])).toBe(false);
  });
});
