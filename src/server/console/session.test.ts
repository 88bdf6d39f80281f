import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeClock } from '../../../test/helpers/secrets.js';
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { ConsoleSessionRecord, Store } from '../../store/types.js';
import { createSessionStore, isCsrfValid } from './session.js';

const admin = { role: 'admin', label: 'admin' } as const;
const opts = { idleMs: 60_000, maxAgeMs: 600_000, maxSessions: 3 };

describe('console sessions', () => {
  let store: Store;
  beforeEach(async () => {
    store = createSqliteStore({ path: ':memory:' });
    await store.migrate();
  });
  afterEach(() => store.close());

  const sessions = (clock = fakeClock()) => createSessionStore({ rows: store, clock }, opts);

  it('finds a session by its id, and not by anything else', async () => {
    const s = sessions();
    const { id, session } = await s.create(admin);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await s.get(id)).toEqual(session);
    expect(await s.get(undefined)).toBeUndefined();
    expect(await s.get(`${id}x`)).toBeUndefined();
    expect(await s.get(session.csrfToken)).toBeUndefined();
  });

  it('stores only a hash of the session id, never the id or the CSRF token', async () => {
    const seen: ConsoleSessionRecord[] = [];
    const spy = {
      ...store,
      insertConsoleSession: (r: ConsoleSessionRecord) => {
        seen.push(r);
        return store.insertConsoleSession(r);
      },
    };
    const s = createSessionStore({ rows: spy, clock: fakeClock() }, opts);
    const { id, session } = await s.create({ role: 'viewer', label: 'auditor' });
    const row = await store.findConsoleSession(sha256(id));
    expect(row).toEqual(seen[0]);
    expect(row).toMatchObject({ role: 'viewer', label: 'auditor' });
    for (const secret of [id, session.csrfToken]) expect(JSON.stringify(row)).not.toContain(secret);
  });

  it('is shared by every replica: signed in on one, used and signed out on another', async () => {
    const clock = fakeClock();
    const a = sessions(clock);
    const b = sessions(clock);
    const { id, session } = await a.create({ role: 'viewer', label: 'auditor' });
    const onB = await b.get(id);
    expect(onB?.identity).toEqual({ role: 'viewer', label: 'auditor' });
    expect(onB !== undefined && isCsrfValid(onB, session.csrfToken)).toBe(true);
    await b.end(id);
    expect(await a.get(id)).toBeUndefined();
  });

  it('ends a session left idle, and one past its maximum age even when used', async () => {
    const clock = fakeClock();
    const s = sessions(clock);
    const idle = (await s.create(admin)).id;
    const busy = (await s.create(admin)).id;
    for (let t = 0; t < 10; t++) {
      clock.advance(59_000);
      expect(await s.get(busy)).toBeDefined();
    }
    expect(await s.get(idle)).toBeUndefined();
    clock.advance(59_000);
    expect(await s.get(busy)).toBeUndefined();
  });

  it('keeps at most maxSessions, dropping the least recently used, and purges expired rows', async () => {
    const clock = fakeClock();
    const s = sessions(clock);
    const a = (await s.create(admin)).id;
    clock.advance(10_000);
    const b = (await s.create(admin)).id;
    clock.advance(10_000);
    const c = (await s.create(admin)).id;
    clock.advance(10_000);
    await s.get(a);
    const d = (await s.create(admin)).id;
    const live = async () =>
      Promise.all([a, b, c, d].map(async (id) => (await s.get(id)) !== undefined));
    expect(await live()).toEqual([true, false, true, true]);
    // Past every expiry, the next sign-in deletes the rows of all the others.
    clock.advance(61_000);
    await s.create(admin);
    const hashes = await Promise.all([a, c, d].map((id) => store.findConsoleSession(sha256(id))));
    expect(hashes).toEqual([undefined, undefined, undefined]);
  });

  it('ends a session on sign-out', async () => {
    const s = sessions();
    const { id } = await s.create(admin);
    await s.end(id);
    expect(await s.get(id)).toBeUndefined();
  });

  it('accepts only the exact CSRF token of the session', async () => {
    const s = sessions();
    const { session } = await s.create(admin);
    const other = (await s.create(admin)).session;
    expect(isCsrfValid(session, session.csrfToken)).toBe(true);
    expect(isCsrfValid(session, other.csrfToken)).toBe(false);
    expect(isCsrfValid(session, undefined)).toBe(false);
    expect(isCsrfValid(session, '')).toBe(false);
    expect(isCsrfValid(session, [session.csrfToken])).toBe(false);
  });
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
