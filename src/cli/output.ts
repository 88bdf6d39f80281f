import type { CliIo } from './command.js';

/** One column of a listing: its header and how a row shows in it. */
export type Column<T> = readonly [header: string, cell: (row: T) => string];

/**
 * Aligned columns under a header. `widths` carries the widths of earlier batches, so rows that
 * `audit tail --follow` prints later line up with the first ones (columns only grow).
 */
export function formatTable<T>(
  rows: readonly T[],
  columns: readonly Column<T>[],
  opts: { header: boolean; widths?: number[] } = { header: true },
): string {
  const cells = rows.map((row) => columns.map(([, cell]) => cell(row)));
  const widths = opts.widths ?? [];
  columns.forEach(([header], i) => {
    const longest = Math.max(header.length, ...cells.map((c) => (c[i] ?? '').length));
    widths[i] = Math.max(widths[i] ?? 0, longest);
  });
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const lines = cells.map(line);
  if (opts.header) lines.unshift(line(columns.map(([header]) => header)));
  return lines.map((l) => `${l}\n`).join('');
}

/**
 * Every listing prints the same way: with `--json`, one JSON array on stdout (`[]` when empty);
 * else a table with a header on stdout, or, when there is nothing, one "no … found" line on
 * stderr, so `| wc -l` counts rows and scripts see an empty stdout.
 */
export function printList<T>(
  io: CliIo,
  opts: { json: boolean; rows: readonly T[]; columns: readonly Column<T>[]; empty: string },
): void {
  if (opts.json) io.stdout.write(`${JSON.stringify(opts.rows)}\n`);
  else if (opts.rows.length === 0) io.stderr.write(`${opts.empty}\n`);
  else io.stdout.write(formatTable(opts.rows, opts.columns));
}

export const isoTime = (ms: number | null): string =>
  ms === null ? '-' : new Date(ms).toISOString();

export function usd(micro: number): string {
  return `$${(micro / 1_000_000).toFixed(micro % 10_000 === 0 ? 2 : 6)}`;
}

/** `1 key`, `2 keys`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
