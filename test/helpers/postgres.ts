/**
 * PostgreSQL for tests: a unique schema per suite (or per test) on the one test database, so
 * parallel test files never see each other's rows, and a drop at the end. There is no skip: a
 * missing server fails the test that needed it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';

export const TEST_DATABASE_URL =
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  /** Lower-case, unique per call, usable as `createPostgresStore({ schema })`. */
  readonly schema: string;
  readonly connectionString: string;
  /** Drops the schema and everything in it; safe to call twice. */
  drop: () => Promise<void>;
}

/** `bastion_<label>_<random>`: valid unquoted, at most 63 characters. */
export function uniqueSchemaName(label = 'test'): string {
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 30);
  return `bastion_${safe}_${randomBytes(6).toString('hex')}`;
}

async function admin(sqlText: string): Promise<void> {
  const client = new pg.Client({
    connectionString: TEST_DATABASE_URL,
    connectionTimeoutMillis: 5000,
  });
  await client.connect();
  try {
    await client.query(sqlText);
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

function testSchema(schema: string): TestSchema {
  return { schema, connectionString: TEST_DATABASE_URL, drop: () => dropSchema(schema) };
}

/** Creates an empty schema (a store's `migrate()` fills it). */
export async function createTestSchema(label?: string): Promise<TestSchema> {
  const schema = uniqueSchemaName(label);
  await admin(`CREATE SCHEMA "${schema}"`);
  return testSchema(schema);
}

/**
 * For a test file: call at the top level (or in a `describe`). Every schema it hands out is
 * dropped in `afterAll`, even when a test failed before its own cleanup ran.
 * - `create()`: a created, empty schema.
 * - `reserve()`: a unique name only, so the store's `migrate()` has to create the schema.
 */
export function useTestSchemas(): {
  create(label?: string): Promise<TestSchema>;
  reserve(label?: string): TestSchema;
} {
  const handedOut = new Set<string>();
  afterAll(async () => {
    for (const schema of handedOut) await dropSchema(schema);
  });
  return {
    async create(label) {
      const schema = await createTestSchema(label);
      handedOut.add(schema.schema);
      return schema;
    },
    reserve(label) {
      const schema = testSchema(uniqueSchemaName(label));
      handedOut.add(schema.schema);
      return schema;
    },
  };
}
