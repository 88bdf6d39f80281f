/**
 * One schema change. Versions only ever grow; an applied migration is never edited, a fix is a
 * new migration. The SQL lives in TypeScript because tsc does not copy `.sql` files to `dist/`.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}
