import type { Database } from './duckdb.ts';
import { PinpipeError, describeError } from '../errors.ts';
import { runLayer, runSessionRules } from './models.ts';
import { TOPIC_KINDS, type TopicKind } from './types.ts';

/** The name in batch_meta of the number of offsets of a topic that hold a good line (summary). */
export const keptOffsetsName = (kind: TopicKind) => `kept_offsets_${kind}`;

/** A DuckDB failure because a statement needed more than the memory limit and could not spill. */
export function isOutOfMemory(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (/Out of Memory Error/i.test(e.message)) return true;
  }
  return false;
}

/**
 * A new database: from every line in staged_<kind>, the models of the intermediate and clean
 * layers (models/manifest.json) per topic — raw_<kind>, the quarantine, the winning line of each
 * post and the clean tables (tasks 1–3), each followed by its contracts. Pin on this connection while geo
 * and user are built on a second one (the topics are independent). When the two together need
 * more memory than DuckDB's limit allows (its aggregates spill, but not without bounds), the
 * topics that failed are built again one at a time, and `onFallback` is told why.
 */
export async function buildTables(db: Database, onFallback?: (reason: string) => void): Promise<void> {
  const built = new Set<TopicKind>();
  const build = async (conn: Database, kind: TopicKind) => {
    await runLayer(conn, 'intermediate', kind);
    await runLayer(conn, 'clean', kind);
    built.add(kind);
  };
  const other = await db.fork();
  try {
    await runSessionRules(other);
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
  } finally {
    other.close();
  }
}

/**
 * An incremental run: the models of the merge layer per topic (models/merge/): the lines of the
 * objects in `changed_keys` (loaded again, or gone) are replaced by those in new_<kind>, and only
 * what they can change is worked out again, with the same SQL as buildTables (the ephemeral
 * models): the offsets those lines hold (quarantine), and the posts with a good line at those
 * offsets, before or after (the clean tables). The result equals buildTables over all objects.
 */
export async function mergeTables(db: Database): Promise<void> {
  for (const kind of TOPIC_KINDS) await runLayer(db, 'merge', kind);
}
