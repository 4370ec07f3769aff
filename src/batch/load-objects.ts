import fs from 'node:fs';
import path from 'node:path';
import { isUtf8 } from 'node:buffer';
import { PinpipeError } from '../errors.ts';
import { sqlString, type Database } from './duckdb.ts';
import { renderModel, runSessionRules } from './models.ts';
import { TOPIC_KINDS, type SinkObject, type TopicKind } from './types.ts';

/** Must equal invalid_utf8_marker() in models/rules/macros.sql. */
export const INVALID_UTF8_MARKER = '\u0001pinpipe:invalid-utf8';

/**
 * Files per load statement: bounded so that memory and the progress move in steps, and large,
 * because each statement types its lines in parallel by row groups (122,880 lines) and leaves a
 * partly filled row group that the checkpoint rewrites: fewer, larger statements load a full run
 * faster (docs/batch.md, "Figures").
 */
const CHUNK_BYTES = 256 * 1024 * 1024;
const CHUNK_FILES = 4000;

/** Splits objects into chunks of at most CHUNK_FILES files and about CHUNK_BYTES bytes. Pure. */
export function chunkObjects(
  objects: SinkObject[],
  maxBytes = CHUNK_BYTES,
  maxFiles = CHUNK_FILES,
): SinkObject[][] {
  const chunks: SinkObject[][] = [];
  let current: SinkObject[] = [];
  let bytes = 0;
  for (const o of objects) {
    if (current.length > 0 && (current.length >= maxFiles || bytes + (o.size ?? 0) > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(o);
    bytes += o.size ?? 0;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * A copy of an object in which every line that is not valid UTF-8 is replaced by the marker, so
 * that DuckDB's read_text can read it and the line keeps its number (and offset). Pure.
 */
export function sanitizeUtf8(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (;;) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl === -1 ? bytes.length : nl;
    const line = bytes.subarray(start, end);
    parts.push(isUtf8(line) ? line : Buffer.from(INVALID_UTF8_MARKER, 'utf8'));
    if (nl === -1) break;
    parts.push(Buffer.from([0x0a]));
    start = nl + 1;
  }
  return Buffer.concat(parts);
}

const UTF8_ERROR = /could not read content of file '(.+)' as valid UTF-8/;

async function insertFiles(db: Database, objects: SinkObject[]): Promise<void> {
  await db.run(
    'CREATE OR REPLACE TEMP TABLE load_files (file VARCHAR, key VARCHAR, partition INTEGER, start_offset BIGINT)',
    'load',
  );
  const appender = await db.conn.createAppender('load_files', 'main', 'temp');
  for (const o of objects) {
    appender.appendVarchar(o.file!);
    appender.appendVarchar(o.key);
    appender.appendInteger(o.partition);
    appender.appendBigInt(BigInt(o.startOffset));
    appender.endRow();
  }
  appender.closeSync();
}

/** Loads one chunk into `table`; an object that is not valid UTF-8 is sanitised and retried. */
async function loadChunk(
  db: Database,
  kind: TopicKind,
  chunk: SinkObject[],
  into: { table: string; create: boolean; temp: boolean },
  sanitizedDir: string,
) {
  for (let attempt = 0; attempt <= chunk.length; attempt++) {
    const files = chunk.map((o) => sqlString(o.file!)).join(', ');
    await db.run(`SET VARIABLE files = [${files}]::VARCHAR[]`, `load ${kind}`);
    try {
      // the lines first (reading is one thread), then the typed load (staging/load.sql) runs on every core
      await db.run(
        `CREATE OR REPLACE TEMP TABLE chunk_lines AS SELECT * FROM object_lines(getvariable('files'))`,
        `load ${kind}`,
      );
    } catch (err) {
      const bad = UTF8_ERROR.exec(String((err as Error).message))?.[1];
      const object = bad === undefined ? undefined : chunk.find((o) => o.file === bad);
      if (!object) throw err;
      const copy = path.join(sanitizedDir, ...object.key.split('/'));
      fs.mkdirSync(path.dirname(copy), { recursive: true });
      fs.writeFileSync(copy, sanitizeUtf8(fs.readFileSync(bad!)));
      await db.run(
        `UPDATE load_files SET file = ${sqlString(copy)} WHERE file = ${sqlString(bad!)}`,
        `load ${kind}`,
      );
      object.file = copy;
      continue;
    }
    const select = renderModel('load', kind);
    const sql = into.create
      ? `CREATE OR REPLACE ${into.temp ? 'TEMP ' : ''}TABLE ${into.table} AS ${select}`
      : `INSERT INTO ${into.table} ${select}`;
    await db.run(sql, `load ${kind}`);
    await db.run('DROP TABLE chunk_lines', `load ${kind}`);
    return;
  }
}

/**
 * Loads the objects' lines (docs/spec.md#s3-layout) into `<prefix>_<kind>` (staged_<kind> of a new database, or
 * the temporary new_<kind> of an incremental run): one row per line with its key, partition,
 * offset and line number, and either the typed columns or the reason to quarantine it. The table of
 * a topic without objects is created empty, with the right columns. Into staged_<kind>, `lanes`
 * connections load topics side by side (reading a chunk is one thread; typing it uses them all);
 * each topic's table is written by one of them.
 */
export async function loadObjects(
  db: Database,
  objects: SinkObject[],
  opts: {
    workDir: string;
    prefix: 'staged' | 'new';
    lanes?: number;
    signal?: AbortSignal;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<void> {
  const temp = opts.prefix === 'new';
  const sanitizedDir = path.join(opts.workDir, 'sanitized');
  fs.rmSync(sanitizedDir, { recursive: true, force: true });
  const forks: Database[] = [];
  for (let i = 1; i < (temp ? 1 : (opts.lanes ?? 2)); i++) {
    const fork = await db.fork();
    forks.push(fork);
    await runSessionRules(fork);
  }
  const lanes = [db, ...forks];
  let done = 0;
  opts.onProgress?.(done, objects.length);
  try {
    // each topic on one lane (one writer per table), the topics spread by bytes over the lanes
    const bytes = (kind: TopicKind) =>
      objects.filter((o) => o.kind === kind).reduce((n, o) => n + (o.size ?? 0), 0);
    const work = lanes.map(() => ({ kinds: [] as TopicKind[], bytes: 0 }));
    for (const kind of [...TOPIC_KINDS].sort((a, b) => bytes(b) - bytes(a))) {
      const lane = work.reduce((min, w) => (w.bytes < min.bytes ? w : min));
      lane.kinds.push(kind);
      lane.bytes += bytes(kind);
    }
    let failed = false;
    const settled = await Promise.allSettled(
      lanes.map(async (lane, i) => {
        await insertFiles(lane, objects);
        for (const kind of work[i]!.kinds) {
          const chunks = chunkObjects(objects.filter((o) => o.kind === kind));
          if (chunks.length === 0) chunks.push([]); // an empty table with the right columns
          for (let c = 0; c < chunks.length && !failed; c++) {
            if (opts.signal?.aborted)
              throw new PinpipeError('INTERRUPTED', 'Interrupted while loading the objects.');
            const into = { table: `${opts.prefix}_${kind}`, create: c === 0, temp };
            try {
              await loadChunk(lane, kind, chunks[c]!, into, sanitizedDir);
            } catch (err) {
              failed = true;
              throw err;
            }
            done += chunks[c]!.length;
            opts.onProgress?.(done, objects.length);
          }
        }
      }),
    );
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  } finally {
    for (const fork of forks) fork.close();
  }
  fs.rmSync(sanitizedDir, { recursive: true, force: true });
}
