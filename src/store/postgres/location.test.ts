import { describe, expect, it } from 'vitest';
import { postgresLocation } from './postgres-store.js';

describe('postgresLocation', () => {
  it('names server, port, database and schema, never the user or password', () => {
    const url = 'postgres://app:s3cr3t-canary-pw@db.internal:6432/billing?sslmode=require'; // bastion:allow test canary
    const location = postgresLocation(url, 'tenant_a');
    expect(location).toBe('postgres://db.internal:6432/billing#tenant_a');
    expect(location).not.toContain('s3cr3t');
    expect(location).not.toContain('app');
  });

  it('never quotes a connection string that is not a URL', () => {
    const location = postgresLocation('host=db password=s3cr3t-canary-pw', 'public'); // bastion:allow test canary
    expect(location).toBe('postgres://(unparsed)#public');
  });
});
