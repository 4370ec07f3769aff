import fs from 'node:fs';
import path from 'node:path';
import { isUtf8 } from 'node:buffer';
import { createProgress } from '../cli/progress.ts';
import { PinpipeError } from '../errors.ts';
import { sqlFile, sqlString, type Database } from './duckdb.ts';
import { TOPIC_KINDS, perTopic, type PerTopic, type SinkObject, type TopicKind } from './types.ts';

/** Must equal invalid_utf8_marker() in sql/macros.sql. */
export const INVALID_UTF8_MARKER = '\u0001pinpipe:invalid-utf8';

/** Files per load statement: bounded so that memory and the progress bar move in steps. */
const CHUNK_BYTES = 128 * 1024 * 1024;
const CHUNK_FILES = 1000;

export interface LoadCounts {
  lines: PerTopic<number>;
  offsetDuplicates: PerTopic<number>;
  quarantined: PerTopic<number>;
}

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

async function insertObjects(db: Database, objects: SinkObject[]): Promise<void> {
  await db.run(sqlFile('schema'), 'schema');
  const appender = await db.conn.createAppender('objects');
  for (const o of objects) {
    appender.appendVarchar(o.file!);
    appender.appendVarchar(o.key);
    appender.appendVarchar(o.topic);
    appender.appendVarchar(o.kind);
    appender.appendInteger(o.partition);
    appender.appendBigInt(BigInt(o.startOffset));
    appender.endRow();
  }
  appender.closeSync();
}

/** Loads one chunk into staged_<kind>; an object that is not valid UTF-8 is sanitised and retried. */
async function loadChunk(
  db: Database,
  kind: TopicKind,
  chunk: SinkObject[],
  first: boolean,
  sanitizedDir: string,
) {
  for (let attempt = 0; attempt <= chunk.length; attempt++) {
    const files = chunk.map((o) => sqlString(o.file!)).join(', ');
    await db.run(`SET VARIABLE files = [${files}]::VARCHAR[]`, `load ${kind}`);
    try {
      // the lines first (reading is one thread), then the typing of load_<kind>.sql runs on every core
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
        `UPDATE objects SET file = ${sqlString(copy)} WHERE file = ${sqlString(bad!)}`,
        `load ${kind}`,
      );
      object.file = copy;
      continue;
    }
    const select = sqlFile(`load_${kind}`);
    const sql = first
      ? `CREATE OR REPLACE TABLE staged_${kind} AS ${select}`
      : `INSERT INTO staged_${kind} ${select}`;
    await db.run(sql, `load ${kind}`);
    await db.run('DROP TABLE chunk_lines', `load ${kind}`);
    return;
  }
}

async function count(db: Database, sql: string, step: string): Promise<number> {
  const [row] = await db.rows(sql, step);
  return Number(Object.values(row ?? {})[0] ?? 0);
}

/**
 * Loads every object into DuckDB (docs/spec.md#s3-layout): staged_<kind> holds each line as typed columns or a
 * quarantine reason; raw_<kind> one row per (partition, offset); `quarantine` the bad lines.
 */
export async function loadObjects(
  db: Database,
  objects: SinkObject[],
  opts: { workDir: string; progress?: boolean; signal?: AbortSignal },
): Promise<LoadCounts> {
  await db.run(sqlFile('placeholders'), 'placeholders');
  await db.run(sqlFile('macros'), 'macros');
  await insertObjects(db, objects);
  const sanitizedDir = path.join(opts.workDir, 'sanitized');
  fs.rmSync(sanitizedDir, { recursive: true, force: true });
  const bar = createProgress({
    label: 'load ',
    total: objects.length,
    unit: 'objects',
    enabled: opts.progress,
  });
  const counts: LoadCounts = {
    lines: perTopic(() => 0),
    offsetDuplicates: perTopic(() => 0),
    quarantined: perTopic(() => 0),
  };
  try {
    for (const kind of TOPIC_KINDS) {
      const mine = objects.filter((o) => o.kind === kind);
      const chunks = chunkObjects(mine);
      if (chunks.length === 0) chunks.push([]); // an empty staged table with the right columns
      for (let i = 0; i < chunks.length; i++) {
        if (opts.signal?.aborted)
          throw new PinpipeError('INTERRUPTED', 'Interrupted while loading the objects.');
        await loadChunk(db, kind, chunks[i]!, i === 0, sanitizedDir);
        bar.increment(chunks[i]!.length);
      }
      await db.run(sqlFile('dedup_offsets', { kind }), `dedup ${kind}`);
      counts.lines[kind] = await count(db, `SELECT count(*) FROM staged_${kind}`, 'count');
      counts.quarantined[kind] = await count(
        db,
        `SELECT count(*) FROM quarantine WHERE topic = '${kind}'`,
        'count',
      );
      // every line is exactly one of: kept, quarantined, or another copy of a kept/quarantined offset
      const kept = await count(db, `SELECT count(*) FROM raw_${kind}`, 'count');
      counts.offsetDuplicates[kind] = counts.lines[kind] - kept - counts.quarantined[kind];
      await db.run(`DROP TABLE staged_${kind}`, `load ${kind}`);
    }
  } finally {
    bar.stop();
  }
  return counts;
}
