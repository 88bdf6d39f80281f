/**
 * One schema change. Versions only ever grow; an applied migration is never edited, a fix is a
 * new migration. The SQL lives in TypeScript because tsc does not copy `.sql` files to `dist/`.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /**
   * PostgreSQL: indexes built after `sql`, outside its transaction, with `CREATE INDEX
   * CONCURRENTLY`, so a large table keeps taking writes while they build. `sql` must then be
   * safe to run twice (`IF NOT EXISTS`): a crash between the two leaves it applied but the
   * version unrecorded.
   */
  readonly concurrentIndexes?: readonly ConcurrentIndex[];
}

export interface ConcurrentIndex {
  readonly name: string;
  readonly isUnique: boolean;
  /** e.g. `audit_log (chain_id, chain_seq)`. */
  readonly on: string;
}
