/** Cell formatting shared by the console tables and the HTML report. */

export function isNumeric(value: unknown): value is number | bigint {
  return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint';
}

/** NULL for null/undefined; integers as written; fractions with at most two decimals. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return String(value);
    return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  // one cell is one line: tabs and newlines would break the alignment
  return String(value).replace(/[\r\n\t]+/g, ' ');
}

/** A number for a chart, or undefined when the value cannot be plotted. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

/** The columns of a list of rows: preferred columns first (when present), then others in order of appearance. */
export function columnsOf(
  rows: readonly Record<string, unknown>[],
  preferred: readonly string[] = [],
): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  const first = preferred.filter((c) => seen.has(c) || rows.length === 0);
  return [...first, ...[...seen].filter((c) => !first.includes(c))];
}
