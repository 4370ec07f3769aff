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

/** The next `max` rows of `rows` as TSV lines (fewer at the end: then `rows` < `max`). */
export function tsvChunk(rows: Iterator<Row>, max: number): { text: string; rows: number } {
  let text = '';
  let n = 0;
  for (; n < max; n++) {
    const r = rows.next();
    if (r.done) break;
    text += tsvLine(r.value);
  }
  return { text, rows: n };
}

/** The socket the stream's bytes end up in, to pace generation by what the network has taken. */
export interface Sink {
  readonly writableLength: number;
  once(event: 'drain', fn: () => void): unknown;
}

/**
 * A byte stream of TSV lines pulled from `rows`, `chunkRows` lines per chunk, generated on demand.
 * mysql2 pipes a LOAD DATA stream into the socket without backpressure (it reads as fast as the
 * stream gives), so pacing is done here: each chunk is generated on a later turn of the event loop
 * (the socket gets flushed and other streams interleave) and not before `sink` has fewer than
 * `maxBufferedBytes` waiting. `onRows` reports rows handed over; `signal` fails the stream.
 */
export function tsvStream(
  rows: Iterator<Row>,
  opts: {
    chunkRows?: number;
    onRows?: (n: number) => void;
    signal?: AbortSignal;
    sink?: Sink;
    maxBufferedBytes?: number;
  } = {},
): Readable {
  const chunkRows = opts.chunkRows ?? 1000;
  const maxBuffered = opts.maxBufferedBytes ?? 4 << 20;
  const next = (stream: Readable) => {
    if (opts.signal?.aborted) {
      stream.destroy(opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted'));
      return;
    }
    if (opts.sink && opts.sink.writableLength > maxBuffered) {
      opts.sink.once('drain', () => next(stream));
      return;
    }
    const chunk = tsvChunk(rows, chunkRows);
    if (chunk.rows > 0) {
      stream.push(chunk.text);
      opts.onRows?.(chunk.rows);
    }
    if (chunk.rows < chunkRows) stream.push(null);
  };
  return new Readable({
    highWaterMark: 1 << 20,
    read() {
      setImmediate(() => next(this));
    },
  });
}
