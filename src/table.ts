/**
 * The one renderer of terminal tables (pure; imports nothing, so every layer may use it): the
 * report's result tables, the emulator's per-topic summary, doctor's check lines, the sandbox's
 * status lines, `pinpipe status` and verify's reconciliation.
 *
 * A column is as wide as its widest cell, its header or its `minWidth`. Cells are joined by `gap`
 * (two spaces unless told), each line starts with `indent` and loses its trailing blanks. A header
 * line is drawn when a column has a header, then a rule of dashes when `rule` is set.
 */

export type Align = 'left' | 'right';

export interface TableColumn {
  header?: string;
  align?: Align;
  minWidth?: number;
}

/** A cell: its text, or its text with an alignment of its own (a string in a column of numbers). */
export type TableCell = string | { text: string; align: Align };

export interface TableOptions {
  gap?: string;
  indent?: string;
  rule?: boolean;
}

const textOf = (cell: TableCell | undefined): string => (typeof cell === 'object' ? cell.text : (cell ?? ''));

/** The table's lines, header (and rule) first. */
export function tableLines(columns: TableColumn[], rows: TableCell[][], opts: TableOptions = {}): string[] {
  const gap = opts.gap ?? '  ';
  const indent = opts.indent ?? '';
  const widths = columns.map((c, i) =>
    Math.max(c.minWidth ?? 0, c.header?.length ?? 0, ...rows.map((row) => textOf(row[i]).length)),
  );
  const line = (cells: TableCell[]) =>
    (
      indent +
      columns
        .map((c, i) => {
          const cell = cells[i];
          const align = typeof cell === 'object' ? cell.align : (c.align ?? 'left');
          const text = textOf(cell);
          return align === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
        })
        .join(gap)
    ).trimEnd();
  const out: string[] = [];
  if (columns.some((c) => c.header !== undefined)) {
    out.push(line(columns.map((c) => c.header ?? '')));
    if (opts.rule) out.push((indent + widths.map((w) => '-'.repeat(w)).join(gap)).trimEnd());
  }
  for (const row of rows) out.push(line(row));
  return out;
}

/** The table as one string, its lines joined by newlines. */
export function renderTextTable(
  columns: TableColumn[],
  rows: TableCell[][],
  opts: TableOptions = {},
): string {
  return tableLines(columns, rows, opts).join('\n');
}
