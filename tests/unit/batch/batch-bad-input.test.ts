import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULT_NAMES } from '../../../src/batch/index.ts';
import { isPinpipeError } from '../../../src/errors.ts';
import { FIXTURES, readJson, runOnFolder, type FixtureRun } from './helpers.ts';

const key = (topic: string, start: number) =>
  `topics/0e7ae8feb921.${topic}/partition=0/0e7ae8feb921.${topic}+0+${String(start).padStart(10, '0')}.json`;

// tests/fixtures/batch/bad: every kind of broken line, one per line, next to good ones.
describe('batch on bad input: quarantined and counted, never a crash', () => {
  let run: FixtureRun;
  beforeAll(async () => {
    run = await runOnFolder(path.join(FIXTURES, 'bad'));
  });
  afterAll(() => fs.rmSync(run.dir, { recursive: true, force: true }));

  it('quarantines each bad line with its object key, line number and reason', async () => {
    const rows = await run.query(
      'SELECT topic, key, line_no, "offset", reason FROM quarantine ORDER BY topic, key, line_no',
    );
    expect(rows).toEqual([
      {
        topic: 'geo',
        key: key('geo', 0),
        line_no: 1,
        offset: 1,
        reason: 'timestamp: expected a datetime such as 2020-08-28 03:52:47',
      },
      {
        topic: 'geo',
        key: key('geo', 0),
        line_no: 2,
        offset: 2,
        reason: 'latitude: expected a number, got a string',
      },
      { topic: 'geo', key: key('geo', 0), line_no: 4, offset: 4, reason: 'ind is null' },
      { topic: 'geo', key: key('geo', 0), line_no: 5, offset: 5, reason: 'not valid UTF-8' },
      {
        topic: 'pin',
        key: key('pin', 0),
        line_no: 1,
        offset: 1,
        reason: 'not JSON (malformed or truncated)',
      },
      { topic: 'pin', key: key('pin', 0), line_no: 2, offset: 2, reason: 'missing column category' },
      {
        topic: 'pin',
        key: key('pin', 0),
        line_no: 3,
        offset: 3,
        reason: 'follower_count: expected a count such as 8632, 124k, 1.2k or 5M',
      },
      {
        topic: 'pin',
        key: key('pin', 0),
        line_no: 4,
        offset: 4,
        reason: 'index: expected an integer, got a string',
      },
      { topic: 'pin', key: key('pin', 0), line_no: 5, offset: 5, reason: 'empty line' },
      { topic: 'pin', key: key('pin', 0), line_no: 6, offset: 6, reason: 'not a JSON object' },
      {
        topic: 'pin',
        key: key('pin', 0),
        line_no: 7,
        offset: 7,
        reason: 'title: expected a string, got an integer',
      },
      // the truncated object (pin+0+9): its first line is good; the cut one (offset 10) has a good
      // copy in pin+0+10 (a replay), so it is superseded, not quarantined
      {
        topic: 'user',
        key: key('user', 0),
        line_no: 2,
        offset: 2,
        reason: 'age: expected an integer, got a decimal number',
      },
      { topic: 'user', key: key('user', 0), line_no: 3, offset: 3, reason: 'missing column date_joined' },
      { topic: 'user', key: key('user', 0), line_no: 5, offset: 5, reason: 'missing column first_name' },
    ]);
  });

  it('counts them per topic and by reason in the summary', () => {
    const s = run.summary;
    expect(s.quarantined.perTopic).toEqual({ pin: 7, geo: 4, user: 3 });
    expect(s.quarantined.total).toBe(14);
    expect(s.quarantined.byReason['not JSON (malformed or truncated)']).toBe(1);
    expect(s.quarantined.samples).toHaveLength(14);
    // pin: the truncated line superseded by its replayed copy; geo: the bad line at offset 1 twice
    expect(s.duplicates.offsets).toEqual({ pin: 1, geo: 1, user: 0 });
    expect(s.objects.ignored).toBe(1); // README.txt next to the objects
    expect(s.lines).toEqual({ pin: 12, geo: 8, user: 6 });
    // every line is kept, quarantined, or another copy of an offset
    expect(s.rows).toEqual({ pin: 4, geo: 3, user: 3 });
    expect(readJson(path.join(s.outDir, 'summary.json'))).toMatchObject({ quarantined: { total: 14 } });
  });

  it('computes the results from the good lines only', async () => {
    expect((await run.query('SELECT ind FROM pin_clean')).map((r) => r.ind)).toEqual([1, 5, 6, 8]);
    expect((await run.query('SELECT ind FROM geo_clean')).map((r) => r.ind)).toEqual([1, 5, 6]);
    expect((await run.query('SELECT ind FROM user_clean')).map((r) => r.ind)).toEqual([1, 3, 6]);
    expect(run.results.popular_category_by_country).toEqual([
      { country: 'France', category: 'art', category_count: 1 },
      { country: 'Germany', category: 'travel', category_count: 2 },
    ]);
    expect(run.results.median_followers_by_age_group).toEqual([
      { age_group: '18-24', median_follower_count: 124000 },
      { age_group: '+50', median_follower_count: null }, // post 6: follower_count '' → NULL
    ]);
    expect(run.results.users_joined_by_year).toEqual([
      { post_year: 2015, number_users_joined: 1 },
      { post_year: 2016, number_users_joined: 1 },
    ]);
  });
});

describe('batch on an empty source', () => {
  it('says there is nothing to process and writes empty results', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-empty-'));
    fs.mkdirSync(path.join(empty, 'topics', '0e7ae8feb921.pin', 'partition=0'), { recursive: true });
    const run = await runOnFolder(empty);
    try {
      expect(run.summary.nothingToProcess).toBe(true);
      expect(run.summary.objects.total).toBe(0);
      for (const n of RESULT_NAMES) {
        expect(run.results[n]).toEqual([]);
        expect(readJson(path.join(run.summary.outDir, `${n}.json`))).toEqual([]);
      }
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
      fs.rmSync(run.dir, { recursive: true, force: true });
    }
  });

  it('fails with a USAGE error when the folder does not exist', async () => {
    const err = await runOnFolder('/nonexistent/pinpipe-source').catch((e: unknown) => e);
    expect(isPinpipeError(err, 'USAGE')).toBe(true);
    expect((err as Error).message).toMatch(/not a folder/);
  });

  it('handles an object holding only an empty line or nothing at all', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-blank-'));
    const folder = path.join(dir, 'topics', '0e7ae8feb921.geo', 'partition=0');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, '0e7ae8feb921.geo+0+0000000000.json'), '');
    fs.writeFileSync(path.join(folder, '0e7ae8feb921.geo+0+0000000007.json'), '\n');
    const run = await runOnFolder(dir);
    try {
      // an empty object has no line; "\n" is one empty line (offset 7), quarantined
      expect(run.summary.lines).toEqual({ pin: 0, geo: 1, user: 0 });
      expect(run.summary.quarantined.byReason).toEqual({ 'empty line': 1 });
      expect(run.results.popular_category_by_country).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(run.dir, { recursive: true, force: true });
    }
  });
});
