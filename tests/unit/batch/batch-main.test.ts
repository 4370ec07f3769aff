import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULT_NAMES } from '../../../src/batch/index.ts';
import { EXPECTED_MAIN } from './expected-main.ts';
import { FIXTURES, readJson, runOnFolder, type FixtureRun } from './helpers.ts';

// tests/fixtures/batch/main: 12 posts over 9 objects, two of them overlapping (a sink replay),
// post 2 sent twice, user 3 sent twice with a changed age. Expected values: expected-main.ts.
describe('batch on the hand-written fixture', () => {
  let run: FixtureRun;
  beforeAll(async () => {
    run = await runOnFolder(path.join(FIXTURES, 'main'));
  });
  afterAll(() => fs.rmSync(run.dir, { recursive: true, force: true }));

  it.each(RESULT_NAMES.map((n) => [n]))('%s equals the hand-worked result', (name) => {
    expect(run.results[name]).toEqual(EXPECTED_MAIN[name]);
    expect(readJson(path.join(run.summary.outDir, `${name}.json`))).toEqual(EXPECTED_MAIN[name]);
  });

  it('counts lines, duplicates and clean rows', () => {
    const s = run.summary;
    expect(s.nothingToProcess).toBe(false);
    expect(s.objects).toMatchObject({ total: 9, ignored: 0, perTopic: { pin: 4, geo: 3, user: 2 } });
    expect(s.lines).toEqual({ pin: 15, geo: 13, user: 13 });
    expect(s.rows).toEqual({ pin: 12, geo: 12, user: 12 });
    // pin: offsets 4–5 of partition 1 twice; geo: offset 2 of partition 0 twice
    expect(s.duplicates.offsets).toEqual({ pin: 2, geo: 1, user: 0 });
    // pin: post 2 at partition 0 offset 1 and partition 1 offset 5; user: post 3 at offsets 1 and 5
    expect(s.duplicates.posts).toEqual({ pin: 1, geo: 0, user: 1 });
    expect(s.duplicates.total).toBe(5);
    expect(s.quarantined.total).toBe(0);
    expect(readJson(path.join(s.outDir, 'summary.json'))).toMatchObject({
      rows: s.rows,
      runDate: '2026-01-02',
    });
    expect(fs.existsSync(s.duckdbPath)).toBe(true);
  });

  it('replaces every placeholder and empty string with NULL, per column (task 1)', async () => {
    const rows = await run.query('SELECT * FROM pin_clean ORDER BY ind');
    expect(rows.map((r) => r.ind)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(Object.keys(rows[0]!)).toEqual([
      'ind',
      'unique_id',
      'title',
      'description',
      'follower_count',
      'poster_name',
      'tag_list',
      'is_image_or_video',
      'image_src',
      'save_location',
      'category',
    ]);
    // post 2: title, description (story format), tag_list, is_image_or_video (story), image_src
    expect(rows[1]).toEqual({
      ind: 2,
      unique_id: 'uid-0002',
      title: null,
      description: null,
      follower_count: 5000000,
      poster_name: 'Bob',
      tag_list: null,
      is_image_or_video: null,
      image_src: null,
      save_location: '/data/art',
      category: 'art',
    });
    // post 3: empty title and tag_list, `No description available`
    expect(rows[2]).toMatchObject({
      title: null,
      description: null,
      tag_list: null,
      is_image_or_video: 'video',
      follower_count: 1200,
    });
    // post 4: empty description; downloaded "1" (a string) was accepted
    expect(rows[3]).toMatchObject({ title: 'Tips', description: null, follower_count: 8632 });
    // post 5: a whole scrape-failure row; `User Info Error` in poster_name and follower_count
    expect(rows[4]).toEqual({
      ind: 5,
      unique_id: 'uid-0005',
      title: null,
      description: null,
      follower_count: null,
      poster_name: null,
      tag_list: null,
      is_image_or_video: 'image',
      image_src: null,
      save_location: '/data/travel',
      category: 'travel',
    });
    expect(rows[5]).toMatchObject({ poster_name: 'Finn', follower_count: null }); // '' → NULL
    // k / M / decimals / a JSON number
    expect(rows.map((r) => r.follower_count)).toEqual([
      124000,
      5000000,
      1200,
      8632,
      null,
      null,
      5000000,
      999,
      10000,
      10000,
      null,
      2500000,
    ]);
    // save_location without the prefix stays as it is
    expect(rows[8]!.save_location).toBe('/data/home-decor');
  });

  it('builds coordinates and timestamps (task 2), ISO-8601 included', async () => {
    const rows = await run.query('SELECT * FROM geo_clean ORDER BY ind');
    expect(Object.keys(rows[0]!)).toEqual(['ind', 'country', 'coordinates', 'timestamp']);
    expect(rows[0]).toEqual({
      ind: 1,
      country: 'France',
      coordinates: [-89.9787, -173.293],
      timestamp: '2018-03-01T10:00:00.000Z',
    });
    expect(rows[3]!.timestamp).toBe('2020-08-28T03:52:47.000Z'); // "2020-08-28T03:52:47Z"
    expect(rows[8]!.timestamp).toBe('2018-12-31T23:00:00.000Z'); // "2019-01-01T01:00:00+02:00" in UTC
  });

  it('builds user_name and keeps the first copy of a post sent twice (task 3)', async () => {
    const rows = await run.query('SELECT * FROM user_clean ORDER BY ind');
    expect(Object.keys(rows[0]!)).toEqual(['ind', 'user_name', 'age', 'date_joined']);
    expect(rows[2]).toEqual({
      ind: 3,
      user_name: 'Cara Cole',
      age: 35,
      date_joined: '2016-03-03T00:00:00.000Z',
    });
    expect(rows[8]).toMatchObject({
      user_name: 'Ivan Ives',
      age: null,
      date_joined: '2017-07-07T07:07:07.000Z',
    });
  });

  it('writes Parquet files of the clean tables and the results', () => {
    const dir = run.summary.parquet.dir;
    for (const t of ['pin_clean', 'geo_clean', 'user_clean', 'quarantine']) {
      expect(fs.existsSync(path.join(dir, 'curated', `${t}.parquet`))).toBe(true);
    }
    for (const n of RESULT_NAMES)
      expect(fs.existsSync(path.join(dir, 'analytics', `${n}.parquet`))).toBe(true);
    expect(run.summary.parquet.uploaded).toEqual([]); // --source: no S3 at all
  });

  it('gives the same results when run again (deterministic)', async () => {
    const again = await runOnFolder(path.join(FIXTURES, 'main'));
    try {
      expect(again.results).toEqual(run.results);
    } finally {
      fs.rmSync(again.dir, { recursive: true, force: true });
    }
  });
});
