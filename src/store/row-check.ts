import { GatewayError } from '../errors/gateway-error.js';
import { ENVIRONMENTS, type AuditDecision, type Environment } from './types.js';

/*
 * Column checks shared by the SQLite and Postgres stores. Rows come back from a driver as
 * `unknown` and are checked once, column by column; a value of the wrong type means the store
 * cannot decide, so it fails closed with `store_unavailable`. Values never go into a message.
 */

export type Row = Readonly<Record<string, unknown>>;

/** Checks bound to one driver's name, which goes into the error's cause. */
export interface RowChecks {
  corrupt: (table: string, column: string) => never;
  text: (row: Row, table: string, column: string) => string;
  textOrNull: (row: Row, table: string, column: string) => string | null;
  /** SQLite: a safe integer. Postgres: also a decimal string (BIGINT, SUM arrive so). */
  int: (row: Row, table: string, column: string) => number;
  intOrNull: (row: Row, table: string, column: string) => number | null;
  /** A JSON column, parsed: SQLite stores JSON text, Postgres' JSONB arrives parsed. */
  json: (row: Row, table: string, column: string) => unknown;
  /** SQLite stores 0/1, Postgres a boolean. */
  bool: (row: Row, table: string, column: string) => boolean;
  /** A driver row is an object, or the store cannot decide. */
  asRow: (value: unknown, table: string) => Row;
  num: (row: Row, table: string, column: string) => number;
  numOrNull: (row: Row, table: string, column: string) => number | null;
  env: (row: Row, table: string, column: string) => Environment;
}

const environments: ReadonlySet<string> = new Set(ENVIRONMENTS);
const DECIMAL = /^-?\d+$/;

export function rowChecks(driver: 'sqlite' | 'postgres'): RowChecks {
  function corrupt(table: string, column: string): never {
    throw new GatewayError('store_unavailable', {
      cause: new Error(`${driver} ${table}.${column} holds a value of an unexpected type`),
    });
  }
  function num(row: Row, table: string, column: string): number {
    const value = row[column];
    return typeof value === 'number' && Number.isFinite(value) ? value : corrupt(table, column);
  }
  function int(row: Row, table: string, column: string): number {
    const value = row[column];
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    if (driver === 'postgres' && typeof value === 'string' && DECIMAL.test(value)) {
      const parsed = Number(value);
      if (Number.isSafeInteger(parsed)) return parsed;
    }
    return corrupt(table, column);
  }
  function json(row: Row, table: string, column: string): unknown {
    const value = row[column];
    if (driver === 'postgres') return value;
    if (typeof value !== 'string') return corrupt(table, column);
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return corrupt(table, column);
    }
  }
  function bool(row: Row, table: string, column: string): boolean {
    const value = row[column];
    if (driver === 'postgres' && typeof value === 'boolean') return value;
    if (driver === 'sqlite' && (value === 0 || value === 1)) return value === 1;
    return corrupt(table, column);
  }
  return {
    corrupt,
    json,
    bool,
    int,
    intOrNull: (row, table, column) => (row[column] === null ? null : int(row, table, column)),
    asRow: (value, table) =>
      typeof value === 'object' && value !== null ? (value as Row) : corrupt(table, '*'),
    text: (row, table, column) => {
      const value = row[column];
      return typeof value === 'string' ? value : corrupt(table, column);
    },
    textOrNull: (row, table, column) => {
      const value = row[column];
      return value === null || typeof value === 'string' ? value : corrupt(table, column);
    },
    num,
    numOrNull: (row, table, column) => (row[column] === null ? null : num(row, table, column)),
    env: (row, table, column) => {
      const value = row[column];
      return typeof value === 'string' && environments.has(value)
        ? (value as Environment)
        : corrupt(table, column);
    },
  };
}

function optionalText(value: unknown): value is string | undefined {
  return value === undefined || typeof value === 'string';
}

function optionalNumber(value: unknown): value is number | undefined {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value));
}

/** The known fields of one decision, copied; anything else is dropped. Undefined when invalid. */
export function decisionOf(value: unknown): AuditDecision | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { stage, action, type, count, score, detail } = value as Record<string, unknown>;
  if (typeof stage !== 'string' || typeof action !== 'string') return undefined;
  if (!optionalText(type) || !optionalText(detail)) return undefined;
  if (!optionalNumber(count) || !optionalNumber(score)) return undefined;
  const d: AuditDecision = { stage, action };
  if (type !== undefined) d.type = type;
  if (count !== undefined) d.count = count;
  if (score !== undefined) d.score = score;
  if (detail !== undefined) d.detail = detail;
  return d;
}

/** A JSON array of decisions, in order; NULL (refused by NOT NULL) when any is invalid. */
export function decisionsJson(value: unknown): string | null {
  if (!Array.isArray(value)) return null;
  const out: AuditDecision[] = [];
  for (const item of value) {
    const d = decisionOf(item);
    if (d === undefined) return null;
    out.push(d);
  }
  return JSON.stringify(out);
}
