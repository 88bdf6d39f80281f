import { isAbsolute, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { auditSpoolPath } from './stages.js';

const configOf = (input: unknown) => configSchema.parse(input);

describe('auditSpoolPath', () => {
  it('with Postgres, defaults beside the SQLite file (the data directory), absolute', () => {
    const config = configOf({
      stores: {
        kind: 'postgres',
        sqlite: { path: '/var/lib/bastion/bastion.db' },
        postgres: { schema: 'tenant_a' },
      },
    });
    expect(auditSpoolPath(config.audit, config.stores)).toBe(
      '/var/lib/bastion/audit-spool-tenant_a',
    );
  });

  it('resolves a relative default once, so the path used is absolute', () => {
    const config = configOf({ stores: { kind: 'postgres' } });
    const path = auditSpoolPath(config.audit, config.stores) ?? '';
    expect(isAbsolute(path)).toBe(true);
    expect(path).toBe(resolve('data', 'audit-spool-public'));
    const sqlite = configOf({ stores: { sqlite: { path: 'db/b.db' } } });
    expect(auditSpoolPath(sqlite.audit, sqlite.stores)).toBe(resolve('db/b.db.audit-spool.d'));
  });

  it('uses audit.spoolPath when set, and none for an in-memory SQLite database', () => {
    const set = configOf({
      audit: { spoolPath: join('/srv', 'spool') },
      stores: { kind: 'postgres' },
    });
    expect(auditSpoolPath(set.audit, set.stores)).toBe('/srv/spool');
    const memory = configOf({ stores: { sqlite: { path: ':memory:' } } });
    expect(auditSpoolPath(memory.audit, memory.stores)).toBeUndefined();
  });
});
