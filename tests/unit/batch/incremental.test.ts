import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { executeBatch, type BatchOptions, type BatchRun } from '../../../src/batch/index.ts';
import { sqlString, toJsonValue } from '../../../src/batch/duckdb.ts';
import { isPinpipeError } from '../../../src/errors.ts';
import { createLogger, type Logger } from '../../../src/log.ts';
import { testProfile } from '../../helpers/profile.ts';
import { EXPECTED_MAIN } from './expected-main.ts';
import { FIXTURES } from './helpers.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pinpipe-${name}-`));
  dirs.push(dir);
  return dir;
}

/** A copy of a fixture folder, without the objects whose key matches `leaveOut`. */
function copyFixture(name: string, leaveOut?: RegExp): string {
  const dir = tempDir('src');
  fs.cpSync(path.join(FIXTURES, name), dir, {
    recursive: true,
    filter: (src) => !leaveOut || !leaveOut.test(src),
  });
  return dir;
}

function run(source: string, work: string, extra: Partial<BatchOptions> = {}): Promise<BatchRun> {
  const profile = testProfile((p) => ({ ...p, batch: { ...p.batch, workDir: work } }));
  return executeBatch({
    profile,
    source,
    out: path.join(work, 'out'),
    runDate: '2026-01-02',
    logger: createLogger('silent'),
    ...extra,
  });
}

async function query(file: string, sql: string): Promise<unknown[]> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJS().map(toJsonValue);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** The rows of a Parquet file the run wrote, in the file's order. */
async function parquetRows(r: BatchRun, table: string): Promise<unknown[]> {
  const file = path.join(r.summary.parquet.dir, 'curated', `${table}.parquet`);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(file)})`))
      .getRowObjectsJS()
      .map(toJsonValue);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Everything a run produces that must not depend on how the tables were built. */
async function outcome(r: BatchRun) {
  const file = r.summary.duckdbPath;
  const s = r.summary;
  return {
    // the Parquet files as written, row by row in the order of the file
    parquet: {
      pin: await parquetRows(r, 'pin_clean'),
      geo: await parquetRows(r, 'geo_clean'),
      user: await parquetRows(r, 'user_clean'),
      quarantine: await parquetRows(r, 'quarantine'),
    },
    results: r.results,
    counts: {
      lines: s.lines,
      rows: s.rows,
      duplicates: s.duplicates,
      quarantined: { ...s.quarantined },
    },
    pin: await query(file, 'SELECT * FROM pin_clean ORDER BY ind'),
    geo: await query(file, 'SELECT * FROM geo_clean ORDER BY ind'),
    user: await query(file, 'SELECT * FROM user_clean ORDER BY ind'),
    quarantine: await query(file, 'SELECT * FROM quarantine ORDER BY topic, key, line_no'),
  };
}

/** Writes `body` over a source object, with a later modification time (as a sink replay would). */
function rewrite(file: string, body: string): void {
  fs.writeFileSync(file, body);
  const later = new Date(fs.statSync(file).mtimeMs + 10_000);
  fs.utimesSync(file, later, later);
}

describe('incremental batch runs', () => {
  it.each([
    ['main', /pin\+1\+0000000004|geo\+0\+0000000002|user\+1\+/],
    ['bad', /pin\+0\+0000000010|geo\+0\+0000000001/],
  ])(
    'loads only the new objects and ends with the tables of a full run (%s)',
    { timeout: 30_000 },
    async (fixture, later) => {
      const source = copyFixture(fixture, later);
      const work = tempDir('work');
      const first = await run(source, work);
      expect(first.summary.mode).toBe('full');
      expect(first.summary.rebuildReason).toBe('no previous run in the work dir');

      fs.cpSync(path.join(FIXTURES, fixture), source, { recursive: true, force: false });
      const second = await run(source, work);
      expect(second.summary.mode).toBe('incremental');
      expect(second.summary.objects.loaded).toBe(fixture === 'main' ? 3 : 2);

      const full = await run(source, tempDir('work'), { full: true });
      expect(full.summary.rebuildReason).toBe('asked for (--full)');
      expect(await outcome(second)).toEqual(await outcome(full));
      if (fixture === 'main') {
        expect(second.results).toEqual(EXPECTED_MAIN);
        // pin+1+4 holds copies of offsets pin+1+0 already has (posts 12 and 2): no clean pin row
        // changes, so none is deleted and appended again (the table keeps the order of the full
        // build); geo+0+2 brings posts 4 and 5, appended after the stored 6–12
        const stored = (t: string) =>
          query(second.summary.duckdbPath, `SELECT list(ind ORDER BY rowid) AS inds FROM ${t}`);
        expect(await stored('pin_clean')).toEqual([{ inds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] }]);
        expect(await stored('geo_clean')).toEqual([{ inds: [1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 4, 5] }]);
      }
    },
  );

  it('does nothing but read the results when no object changed', async () => {
    const source = copyFixture('main');
    const work = tempDir('work');
    await run(source, work);
    const again = await run(source, work);
    expect(again.summary.mode).toBe('incremental');
    expect(again.summary.objects).toMatchObject({ total: 9, loaded: 0, dropped: 0 });
    expect(again.results).toEqual(EXPECTED_MAIN);
    expect(again.summary.rows).toEqual({ pin: 12, geo: 12, user: 12 });
  });

  it('loads an object again when a replay rewrote it, and drops objects that are gone', async () => {
    const source = copyFixture('main');
    // post 2's later copy (partition 1, offset 5, in two overlapping objects) gets its own title:
    // it becomes the winning line when the replay below corrupts the first one
    for (const o of ['pin+1+0000000000', 'pin+1+0000000004']) {
      const file = path.join(source, `topics/0e7ae8feb921.pin/partition=1/0e7ae8feb921.${o}.json`);
      const body = fs.readFileSync(file, 'utf8');
      const edited = body.replace(
        /("index": 2, "unique_id": "uid-0002", "title": )"No Title Data Available"/,
        '$1"Bob again"',
      );
      expect(edited).not.toBe(body);
      fs.writeFileSync(file, edited);
    }
    const work = tempDir('work');
    const first = await run(source, work);
    const title2 = (r: BatchRun) => query(r.summary.duckdbPath, 'SELECT title FROM pin_clean WHERE ind = 2');
    expect(await title2(first)).toEqual([{ title: null }]); // the first copy's placeholder title
    const pin = path.join(source, 'topics/0e7ae8feb921.pin/partition=0/0e7ae8feb921.pin+0+0000000000.json');
    const lines = fs.readFileSync(pin, 'utf8').split('\n');
    rewrite(pin, [lines[0], '{"index": 99', ...lines.slice(2)].join('\n'));
    fs.rmSync(path.join(source, 'topics/0e7ae8feb921.geo/partition=2'), { recursive: true });
    const changed = await run(source, work);
    expect(changed.summary.mode).toBe('incremental');
    expect(changed.summary.objects).toMatchObject({ total: 8, loaded: 1, dropped: 1 });
    expect(changed.summary.quarantined.byReason).toEqual({ 'not JSON (malformed or truncated)': 1 });
    expect(await title2(changed)).toEqual([{ title: 'Bob again' }]);

    const full = await run(source, tempDir('work'), { full: true });
    expect(await outcome(changed)).toEqual(await outcome(full));
  });

  it('rebuilds, and says why, when the work dir was built with other rules', async () => {
    const source = copyFixture('main');
    const work = tempDir('work');
    const first = await run(source, work);
    const instance = await DuckDBInstance.create(first.summary.duckdbPath);
    const conn = await instance.connect();
    await conn.run("UPDATE batch_meta SET value = '0000000000000000' WHERE name = 'rules_version'");
    conn.closeSync();
    instance.closeSync();
    const messages: string[] = [];
    const say = (m: string) => void messages.push(m);
    const logger = { info: say, warn: say, debug: say, error: say } as unknown as Logger;
    const again = await run(source, work, { logger });
    expect(again.summary.mode).toBe('full');
    expect(again.summary.rebuildReason).toMatch(
      /^the work dir was built with other rules \(version 0000000000000000, now [0-9a-f]{16}\)$/,
    );
    expect(messages.join('\n')).toContain(
      'batch: building the tables from every object: the work dir was built with other rules',
    );
    expect(again.results).toEqual(EXPECTED_MAIN);
    expect((await run(source, work)).summary.mode).toBe('incremental');
  });

  it('removes the half-built file a killed full run left behind', async () => {
    const source = copyFixture('main');
    const work = tempDir('work');
    fs.mkdirSync(work, { recursive: true });
    const gone = spawnSync(process.execPath, ['-e', '']).pid!; // a process that has ended
    const stale = path.join(work, `pinpipe.duckdb.${gone}.tmp`);
    fs.writeFileSync(stale, 'half a database');
    const r = await run(source, work, { full: true });
    expect(r.summary.mode).toBe('full');
    expect(fs.existsSync(stale)).toBe(false);
  });

  it.each(['clean', 'analytics', 'parquet'] as const)(
    'leaves the previous state usable when interrupted at %s',
    { timeout: 30_000 },
    async (at) => {
      const source = copyFixture('main', /pin\+1\+0000000004|user\+1\+/);
      const work = tempDir('work');
      const first = await run(source, work);
      const before = await outcome(first);
      fs.cpSync(path.join(FIXTURES, 'main'), source, { recursive: true, force: false });
      for (const full of [false, true]) {
        const controller = new AbortController();
        const err = await run(source, work, {
          full,
          signal: controller.signal,
          onProgress: (p) => {
            if (p.step === at) controller.abort();
          },
        }).catch((e: unknown) => e);
        expect(isPinpipeError(err, 'INTERRUPTED'), String(err)).toBe(true);
        const file = first.summary.duckdbPath;
        // past the analytics an incremental run has committed: its state is the new one
        expect(await query(file, 'SELECT count(*) AS n FROM loaded_objects')).toEqual([
          { n: at === 'parquet' ? 9 : 7 },
        ]);
        if (at !== 'parquet') {
          expect(await query(file, 'SELECT * FROM pin_clean ORDER BY ind')).toEqual(before.pin);
        }
        expect(fs.readdirSync(work).filter((f) => f.includes('.tmp'))).toEqual([]);
      }
      const next = await run(source, work);
      expect(next.summary.mode).toBe('incremental');
      expect(next.results).toEqual(EXPECTED_MAIN);
    },
  );
});
