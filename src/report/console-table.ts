import { orderedResultNames, resultInfo, type Row } from './catalog.ts';
import { columnsOf, formatCell, isNumeric } from './format.ts';
import { tableLines } from '../table.ts';

/**
 * An aligned plain-text table: a header, a rule, one line per row. Numbers are right-aligned,
 * NULL is shown as `NULL`. Columns default to the keys of the rows in order of appearance.
 */
export function renderTable(rows: Row[], columns?: string[]): string {
  const cols = columns ?? columnsOf(rows);
  if (cols.length === 0) return '(no rows)';
  const numeric = cols.map((c) => rows.some((r) => isNumeric(r[c])));
  // a numeric column keeps NULL and numbers right-aligned; strings in it stay left-aligned
  const cells = rows.map((row) =>
    cols.map((c, i) =>
      numeric[i] && !isNumeric(row[c]) && row[c] != null
        ? { text: formatCell(row[c]), align: 'left' as const }
        : formatCell(row[c]),
    ),
  );
  const header = cols.map((c, i) => ({
    header: c,
    align: numeric[i] ? ('right' as const) : ('left' as const),
  }));
  const out = tableLines(header, cells, { rule: true });
  if (rows.length === 0) out.push('(no rows)');
  return out.join('\n');
}

/**
 * Every result as a titled table, the spec's nine first and in its order. With `maxRows`, a table
 * shows its first rows only (all of them when one more would be hidden) and says how many more
 * there are and how to see them (`more`).
 */
export function renderResults(
  results: Record<string, Row[]>,
  opts: { maxRows?: number; more?: (name: string) => string } = {},
): string {
  const blocks: string[] = [];
  for (const name of orderedResultNames(results)) {
    const rows = results[name] ?? [];
    const info = resultInfo(name);
    const title = info ? `${info.task}. ${info.title} (${name})` : name;
    const count = `${rows.length} row${rows.length === 1 ? '' : 's'}`;
    const lines = [`== ${title} — ${count}`];
    if (info?.note) lines.push(info.note);
    // a single hidden row would take as much room as showing it
    const shown =
      opts.maxRows === undefined || rows.length <= opts.maxRows + 1 ? rows : rows.slice(0, opts.maxRows);
    lines.push(renderTable(shown, info ? columnsOf(rows, info.columns) : columnsOf(rows)));
    const hidden = rows.length - shown.length;
    if (hidden > 0) lines.push(`… ${hidden} more row(s)${opts.more ? `: ${opts.more(name)}` : ''}`);
    blocks.push(lines.join('\n'));
  }
  return blocks.join('\n\n');
}
