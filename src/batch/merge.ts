import { CLEAN_TABLES } from './analytics.ts';
import { keyColumn } from './columns.ts';
import { sqlFile, type Database } from './duckdb.ts';
import { PinpipeError, describeError } from '../errors.ts';
import { TOPIC_KINDS, type TopicKind } from './types.ts';

/** The SELECT of a step file, without its trailing semicolon, ready to wrap. */
function select(name: string, vars: Record<string, string>): string {
  return sqlFile(name, vars).trim().replace(/;\s*$/, '');
}

const dedup = (kind: TopicKind, staged: string) => select('dedup_offsets', { kind, staged });
const quarantined = (kind: TopicKind, staged: string) => select('quarantine_lines', { kind, staged });
const winners = (kind: TopicKind, staged: string) =>
  select('post_winners', { kind, staged, key: keyColumn(kind) });
const clean = (kind: TopicKind, winnerRows: string) => select(`clean_${kind}`, { winners: winnerRows });

/** The name in batch_meta of the number of offsets of a topic that hold a good line (summary). */
export const keptOffsetsName = (kind: TopicKind) => `kept_offsets_${kind}`;

async function storeKeptOffsets(db: Database, kind: TopicKind, value: string): Promise<void> {
  await db.run(
    `DELETE FROM batch_meta WHERE name = '${keptOffsetsName(kind)}';
     INSERT INTO batch_meta VALUES ('${keptOffsetsName(kind)}', (${value})::VARCHAR)`,
    `count ${kind}`,
  );
}

/** A DuckDB failure because a statement needed more than the memory limit and could not spill. */
export function isOutOfMemory(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (/Out of Memory Error/i.test(e.message)) return true;
  }
  return false;
}

/**
 * A new database: from every line in staged_<kind>, the view raw_<kind> (one row per offset), the
 * quarantine, and the clean tables (tasks 1–3): the winning line of each post is found on the
 * narrow keys (post_winners.sql), then only those lines are read whole and cleaned. Pin on this
 * connection while geo and user are built on a second one (the topics are independent). When the
 * two together need more memory than DuckDB's limit allows (its aggregates spill, but not without
 * bounds), the topics that failed are built again one at a time, and `onFallback` is told why.
 */
export async function buildTables(db: Database, onFallback?: (reason: string) => void): Promise<void> {
  const built = new Set<TopicKind>();
  const build = async (conn: Database, kind: TopicKind) => {
    await conn.run(`CREATE OR REPLACE VIEW raw_${kind} AS ${dedup(kind, `staged_${kind}`)}`, `dedup ${kind}`);
    await conn.run(
      `DELETE FROM quarantine WHERE topic = '${kind}';
       INSERT INTO quarantine ${quarantined(kind, `staged_${kind}`)}`,
      `quarantine ${kind}`,
    );
    await conn.run(
      `CREATE OR REPLACE TEMP VIEW staged_rows AS SELECT rowid AS _rid, * FROM staged_${kind};
       CREATE OR REPLACE TEMP TABLE winners AS ${winners(kind, 'staged_rows')}`,
      `clean ${kind} (task ${TOPIC_KINDS.indexOf(kind) + 1})`,
    );
    await conn.run(
      `CREATE OR REPLACE TABLE ${CLEAN_TABLES[kind]} AS ${clean(kind, 'winners')};
       DROP TABLE winners; DROP VIEW staged_rows`,
      `clean ${kind} (task ${TOPIC_KINDS.indexOf(kind) + 1})`,
    );
    built.add(kind);
  };
  const other = await db.fork();
  try {
    await other.run(sqlFile('placeholder_values'), 'clean');
    const settled = await Promise.allSettled([
      build(db, 'pin'),
      (async () => {
        await build(other, 'geo');
        await build(other, 'user');
      })(),
    ]);
    const failures = settled
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => r.reason as unknown);
    const fatal = failures.find((f) => !isOutOfMemory(f));
    if (fatal !== undefined) throw fatal;
    if (failures.length > 0) {
      onFallback?.(describeError(failures[0]));
      for (const kind of TOPIC_KINDS) {
        if (built.has(kind)) continue;
        await build(db, kind).catch((err: unknown) => {
          if (!isOutOfMemory(err)) throw err;
          throw new PinpipeError(
            'BATCH_SQL_FAILED',
            `DuckDB ran out of memory building the ${kind} table, even one topic at a time (${describeError(err)}); the previous tables are untouched (a full build writes a new file)`,
            {
              cause: err,
              fix: 'raise batch.memoryLimit in the profile (or PINPIPE_BATCH__MEMORY_LIMIT) or free disk space for <workDir>/duckdb-tmp, then run pinpipe batch again',
            },
          );
        });
      }
    }
    for (const kind of TOPIC_KINDS)
      await storeKeptOffsets(
        db,
        kind,
        `SELECT count(*) FROM (SELECT DISTINCT _partition, _offset FROM staged_${kind} WHERE _reason IS NULL)`,
      );
  } finally {
    other.close();
  }
}

/** `lo` and `hi` of a one-row query as a BETWEEN on _offset, or FALSE when the query found no row. */
async function offsetRange(db: Database, sql: string, step: string): Promise<string> {
  const [r] = await db.rows(sql, step);
  if (r?.lo === null || r?.lo === undefined) return 'FALSE';
  return `_offset BETWEEN ${String(r.lo)} AND ${String(r.hi)}`;
}

/**
 * An incremental run: the lines of the objects in `changed_keys` (loaded again, or gone) are
 * replaced by those in new_<kind>, and only what they can change is worked out again, with the
 * same SQL as buildTables: the offsets those lines hold (quarantine), and the posts with a good
 * line at those offsets, before or after (the clean tables). The result equals buildTables over
 * all objects. Every scan of staged_<kind> for those offsets also says the range of offsets they
 * lie in (an object's lines are at its start offset and after), so that DuckDB skips the row
 * groups outside it by their min/max instead of reading the whole table.
 */
export async function mergeTables(db: Database): Promise<void> {
  for (const kind of TOPIC_KINDS) {
    const key = `"${keyColumn(kind)}"`;
    const step = `merge ${kind}`;
    // the lines at the offsets of a table (a semi join: DuckDB narrows the scan to the offsets'
    // range from the join, which it does not do for the same condition written as EXISTS)
    const at = (offsets: string) => `SEMI JOIN ${offsets} USING (_partition, _offset)`;
    // the lines of the objects loaded before that this run replaces or drops
    const changed = await offsetRange(
      db,
      `SELECT min(start_offset) AS lo, 9223372036854775807 AS hi
         FROM loaded_objects WHERE kind = '${kind}' AND key IN (SELECT key FROM changed_keys)`,
      step,
    );
    const inChanged = `${changed} AND _key IN (SELECT key FROM changed_keys)`;
    await db.run(
      `CREATE OR REPLACE TEMP TABLE touched AS
         SELECT DISTINCT _partition, _offset FROM staged_${kind} WHERE ${inChanged}
         UNION SELECT _partition, _offset FROM new_${kind}`,
      step,
    );
    const range = await offsetRange(db, 'SELECT min(_offset) AS lo, max(_offset) AS hi FROM touched', step);
    const postsAtTouched = `SELECT ${key} AS ind FROM staged_${kind} s ${at('touched')} WHERE _reason IS NULL AND ${range}`;
    // the offsets holding a good line change only among the touched ones: counted before and after
    const keptAtTouched = `SELECT count(*) FROM touched ${at(`(SELECT _partition, _offset FROM staged_${kind} WHERE _reason IS NULL AND ${range})`)}`;
    await db.run(`CREATE OR REPLACE TEMP TABLE kept_before AS ${keptAtTouched}`, step);
    await db.run(`CREATE OR REPLACE TEMP TABLE touched_posts AS ${postsAtTouched}`, step);
    // the posts that lose a good line: their winner may be among the lines removed
    await db.run(
      `CREATE OR REPLACE TEMP TABLE losing_posts AS SELECT DISTINCT ${key} AS ind FROM staged_${kind} WHERE ${inChanged} AND _reason IS NULL`,
      step,
    );
    await db.run(`DELETE FROM staged_${kind} WHERE ${inChanged}`, step);
    await db.run(`INSERT INTO staged_${kind} SELECT * FROM new_${kind}`, step);
    await db.run(`INSERT INTO touched_posts ${postsAtTouched}`, step);
    await db.run(
      `UPDATE batch_meta SET value = (value::BIGINT - (SELECT * FROM kept_before) + (${keptAtTouched}))::VARCHAR
         WHERE name = '${keptOffsetsName(kind)}'`,
      step,
    );

    await db.run(
      `CREATE OR REPLACE TEMP VIEW touched_staged AS SELECT s.* FROM staged_${kind} s ${at('touched')} WHERE ${range}`,
      step,
    );
    await db.run(
      `DELETE FROM quarantine q WHERE topic = '${kind}' AND EXISTS (SELECT 1 FROM touched t WHERE t._partition = q.partition AND t._offset = q."offset")`,
      step,
    );
    await db.run(`INSERT INTO quarantine ${quarantined(kind, 'touched_staged')}`, step);

    // every offset holding a good line of those posts, deduplicated as raw_<kind>, then cleaned;
    // the narrow columns of their lines are read once into post_staged
    await db.run(
      `CREATE OR REPLACE TEMP TABLE post_offsets AS SELECT DISTINCT _partition, _offset FROM staged_${kind}
         WHERE _reason IS NULL AND ${key} IN (SELECT ind FROM touched_posts)`,
      step,
    );
    await db.run(
      `CREATE OR REPLACE TEMP TABLE post_staged AS SELECT s.rowid AS _rid, _key, _partition, _offset, _reason, ${key}
         FROM staged_${kind} s ${at('post_offsets')} WHERE _reason IS NULL`,
      step,
    );
    await db.run(
      `CREATE OR REPLACE TEMP TABLE post_winners AS SELECT * FROM (${winners(kind, 'post_staged')})
         WHERE _post IN (SELECT ind FROM touched_posts)`,
      step,
    );
    // A post keeps its clean row when its winning line is one it had before (not from an object
    // this run loaded) and it lost no good line: the line that won before is still there and
    // still beats every other line it had, so it is the same line (a copy sent again later, the
    // daily case, changes nothing). Only the other touched posts are deleted and written again.
    await db.run(
      `CREATE OR REPLACE TEMP TABLE changed_posts AS
         SELECT ind FROM touched_posts
         EXCEPT
         SELECT w._post FROM post_winners w JOIN post_staged s USING (_rid)
           WHERE s._key NOT IN (SELECT key FROM changed_keys) AND w._post NOT IN (SELECT ind FROM losing_posts)`,
      step,
    );
    await db.run(`DELETE FROM ${CLEAN_TABLES[kind]} WHERE ind IN (SELECT ind FROM changed_posts)`, step);
    await db.run(
      `CREATE OR REPLACE TEMP VIEW changed_winners AS SELECT * FROM post_winners WHERE _post IN (SELECT ind FROM changed_posts)`,
      step,
    );
    await db.run(`INSERT INTO ${CLEAN_TABLES[kind]} ${clean(kind, 'changed_winners')}`, step);
    await db.run(
      'DROP VIEW changed_winners; DROP TABLE kept_before; DROP TABLE post_winners; DROP TABLE post_staged; DROP VIEW touched_staged; DROP TABLE post_offsets; DROP TABLE touched; DROP TABLE touched_posts; DROP TABLE losing_posts; DROP TABLE changed_posts',
      step,
    );
  }
}
