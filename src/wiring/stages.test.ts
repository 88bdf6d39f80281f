import { isAbsolute, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { auditSpoolPath } from './stages.js';

const configOf = (input: unknown) => configSchema.parse(input);
const A = 'postgres://127.0.0.1:5432/test#tenant_a';
const B = 'postgres://127.0.0.1:5432/other#tenant_a';

describe('auditSpoolPath', () => {
  it('with Postgres, defaults beside the SQLite file (the data directory), absolute', () => {
    const config = configOf({
      stores: {
        kind: 'postgres',
        sqlite: { path: '/var/lib/bastion/bastion.db' },
        postgres: { schema: 'tenant_a' },
      },
    });
    const path = auditSpoolPath(config.audit, config.stores, A);
    expect(path).toMatch(/^\/var\/lib\/bastion\/audit-spool-tenant_a-[0-9a-f]{12}$/);
    expect(auditSpoolPath(config.audit, config.stores, A)).toBe(path);
  });

  it('with Postgres, gateways on one host writing to different databases get different spools', () => {
    // Each would otherwise replay, at its next start, rows the other spooled for its database.
    const config = configOf({ stores: { kind: 'postgres', postgres: { schema: 'public' } } });
    const paths = [A, B, 'postgres://db2.internal:5432/billing#public'].map((location) =>
      auditSpoolPath(config.audit, config.stores, location),
    );
    expect(new Set(paths).size).toBe(3);
  });

  it('resolves a relative default once, so the path used is absolute', () => {
    const config = configOf({ stores: { kind: 'postgres' } });
    const path = auditSpoolPath(config.audit, config.stores, A) ?? '';
    expect(isAbsolute(path)).toBe(true);
    expect(path.startsWith(resolve('data', 'audit-spool-public-'))).toBe(true);
    const sqlite = configOf({ stores: { sqlite: { path: 'db/b.db' } } });
    expect(auditSpoolPath(sqlite.audit, sqlite.stores, resolve('db/b.db'))).toBe(
      resolve('db/b.db.audit-spool.d'),
    );
  });

  it('uses audit.spoolPath when set, and none for an in-memory SQLite database', () => {
    const set = configOf({
      audit: { spoolPath: join('/srv', 'spool') },
      stores: { kind: 'postgres' },
    });
    expect(auditSpoolPath(set.audit, set.stores, A)).toBe('/srv/spool');
    const memory = configOf({ stores: { sqlite: { path: ':memory:' } } });
    expect(auditSpoolPath(memory.audit, memory.stores, ':memory:')).toBeUndefined();
  });
});
