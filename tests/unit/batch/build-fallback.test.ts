import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/batch/duckdb.ts';
import { runSessionRules } from '../../../src/batch/models.ts';
import { buildTables, isOutOfMemory } from '../../../src/batch/merge.ts';
import { PinpipeError } from '../../../src/errors.ts';
import { FIXTURES, runOnFolder, type FixtureRun } from './helpers.ts';

const TABLES = {
  pin_clean: 'SELECT * FROM pin_clean',
  geo_clean: 'SELECT * FROM geo_clean',
  user_clean: 'SELECT * FROM user_clean',
  quarantine: 'SELECT * FROM quarantine ORDER BY topic, key, line_no',
  kept: "SELECT * FROM batch_meta WHERE name LIKE 'kept_offsets_%' ORDER BY name",
};

/** DuckDB's own wording when a statement cannot stay under the memory limit. */
const oom = () =>
  new PinpipeError(
    'BATCH_SQL_FAILED',
    'The batch step "clean_table geo" failed in DuckDB: Out of Memory Error: failed to pin block of size 256.0 KiB (1.8 GiB/1.8 GiB used)',
    { cause: new Error('Out of Memory Error: failed to pin block of size 256.0 KiB (1.8 GiB/1.8 GiB used)') },
  );

/** `db`, but the first statement of step `step` on its forked connections throws `err` (once). */
function failingFork(db: Database, step: string, err: () => Error): { db: Database; thrown: () => number } {
  let thrown = 0;
  const wrap = (d: Database, fail: boolean): Database => ({
    ...d,
    async run(sql, s) {
      if (fail && s === step && thrown === 0) {
        thrown++;
        throw err();
      }
      return d.run(sql, s);
    },
    fork: async () => wrap(await d.fork(), true),
  });
  return { db: wrap(db, false), thrown: () => thrown };
}

async function snapshot(db: Database): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, sql] of Object.entries(TABLES)) out[name] = await db.rows(sql, 'test');
  return out;
}

describe('building the clean tables two topics at once, and one at a time when DuckDB runs out of memory', () => {
  let run: FixtureRun;
  let expected: Record<string, unknown>;

  beforeAll(async () => {
    run = await runOnFolder(path.join(FIXTURES, 'bad'));
    const db = await openDatabase(run.summary.duckdbPath);
    try {
      expected = await snapshot(db);
    } finally {
      db.close();
    }
  });
  afterAll(() => fs.rmSync(run.dir, { recursive: true, force: true }));

  /** Empties what buildTables writes, then builds again through `wrapDb`. */
  async function rebuild(wrapDb: (db: Database) => Database, onFallback?: (r: string) => void) {
    const db = await openDatabase(run.summary.duckdbPath);
    try {
      await db.run(
        "DELETE FROM quarantine; DELETE FROM batch_meta WHERE name LIKE 'kept_offsets_%'; DROP TABLE IF EXISTS pin_clean; DROP TABLE IF EXISTS geo_clean; DROP TABLE IF EXISTS user_clean",
        'test',
      );
      await runSessionRules(db);
      await buildTables(wrapDb(db), onFallback);
      return await snapshot(db);
    } finally {
      db.close();
    }
  }

  it('recognises DuckDB out-of-memory errors through the cause chain, and only those', () => {
    expect(isOutOfMemory(oom())).toBe(true);
    expect(
      isOutOfMemory(new Error('x', { cause: new Error('Out of Memory Error: could not allocate') })),
    ).toBe(true);
    expect(isOutOfMemory(new PinpipeError('BATCH_SQL_FAILED', 'Binder Error: column x not found'))).toBe(
      false,
    );
    expect(isOutOfMemory('Out of Memory Error')).toBe(false);
  });

  it('the quarantine had lines to lose (the fixture exercises it)', () => {
    expect((expected.quarantine as unknown[]).length).toBe(14);
  });

  it('builds the same tables, quarantine and counts again when the second connection runs out of memory', async () => {
    const reasons: string[] = [];
    let thrown = () => 0;
    const got = await rebuild(
      (db) => {
        const f = failingFork(db, 'clean_table geo', oom);
        thrown = f.thrown;
        return f.db;
      },
      (r) => reasons.push(r),
    );
    expect(thrown()).toBe(1);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toContain('Out of Memory Error');
    expect(got).toEqual(expected);
  });

  it('builds the same tables again when the quarantine step had already run before the failure', async () => {
    // the failure comes after geo's quarantine rows were written: the rebuild must not double them
    const got = await rebuild((db) => failingFork(db, 'clean_table user', oom).db);
    expect(got).toEqual(expected);
  });

  it('says what to do when even one topic at a time does not fit in memory', async () => {
    // the second connection fails, then the first connection fails too when it builds geo alone
    const err = await rebuild((db) => {
      let calls = 0;
      const wrap = (d: Database): Database => ({
        ...d,
        async run(sql, s) {
          if (s === 'clean_table geo' && calls++ < 2) throw oom();
          return d.run(sql, s);
        },
        fork: async () => wrap(await d.fork()),
      });
      return wrap(db);
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PinpipeError);
    expect((err as PinpipeError).code).toBe('BATCH_SQL_FAILED');
    expect((err as PinpipeError).problem).toMatch(
      /^DuckDB ran out of memory building the geo table, even one topic at a time \(.*Out of Memory Error.*\); the previous tables are untouched/,
    );
    expect((err as PinpipeError).fix).toBe(
      'raise batch.memoryLimit in the profile (or PINPIPE_BATCH__MEMORY_LIMIT) or free disk space for <workDir>/duckdb-tmp, then run pinpipe batch again',
    );
  });

  it('fails at once, with the error as it came, when the failure is not one of memory', async () => {
    const other = new PinpipeError(
      'BATCH_SQL_FAILED',
      'The batch step "clean_table geo" failed in DuckDB: IO Error: disk full',
    );
    const reasons: string[] = [];
    await expect(
      rebuild(
        (db) => failingFork(db, 'clean_table geo', () => other).db,
        (r) => reasons.push(r),
      ),
    ).rejects.toBe(other);
    expect(reasons).toEqual([]);
  });
});
