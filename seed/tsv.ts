import { Readable } from 'node:stream';
import type { Row } from './generator.ts';

/**
 * Rows → the text LOAD DATA reads with its defaults (FIELDS TERMINATED BY '\t' ESCAPED BY '\\'
 * LINES TERMINATED BY '\n'). Pure except for the stream wrapper, which generates on demand so memory
 * stays flat however many rows are loaded.
 */
const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

export function tsvField(v: string | number): string {
  if (typeof v === 'number') return String(v);
  return NEEDS_ESCAPE.test(v) ? v.replace(/[\\\t\n\r\0]/g, (c) => ESCAPES[c]!) : v;
}

export function tsvLine(row: Row): string {
  let s = tsvField(row[0]!);
  for (let i = 1; i < row.length; i++) s += '\t' + tsvField(row[i]!);
  return s + '\n';
}

/**
 * A byte stream of TSV lines pulled from `rows`, `chunkRows` lines per chunk. `onRows` reports how
 * many rows were handed to the reader; the stream fails with the abort reason when `signal` fires.
 */
export function tsvStream(
  rows: Iterator<Row>,
  opts: { chunkRows?: number; onRows?: (n: number) => void; signal?: AbortSignal } = {},
): Readable {
  const chunkRows = opts.chunkRows ?? 2000;
  return new Readable({
    highWaterMark: 1 << 20,
    read() {
      if (opts.signal?.aborted) {
        this.destroy(opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted'));
        return;
      }
      let s = '';
      let n = 0;
      for (; n < chunkRows; n++) {
        const r = rows.next();
        if (r.done) break;
        s += tsvLine(r.value);
      }
      if (n > 0) {
        this.push(s);
        opts.onRows?.(n);
      }
      if (n < chunkRows) this.push(null);
    },
  });
}
