import fs from 'node:fs';
import path from 'node:path';
import { generateBenchData } from '../../testkit/batch-data.ts';
import { sinkKey } from '../../src/batch/index.ts';
import { mulberry32 } from '../../src/emulator/index.ts';

/** Generated sink-layout data for the cross-engine test (batch-spark.test.ts). */

const PID = '0e7ae8feb921';

/** Lines that exercise where a second JSON parser or datetime parser could differ. */
function corruptPinLines(ind: number): string[] {
  const pin = (over: Record<string, unknown>) =>
    JSON.stringify({
      index: ind,
      unique_id: 'u',
      title: 't',
      description: 'd',
      poster_name: `Corner ${ind}`,
      follower_count: '1.2345k',
      tag_list: 'x',
      is_image_or_video: 'image',
      image_src: 'i',
      downloaded: 1,
      save_location: 'Local save in /data/art',
      category: 'art',
      ...over,
    });
  return [
    pin({}).slice(0, 40), // truncated
    'not json at all',
    '',
    '   ',
    '[1, 2, 3]',
    '42',
    pin({ index: null }),
    pin({ index: 1.5 }),
    pin({ index: ' 7 ' }).replace(`"index":" 7 "`, `"index":" ${ind + 1} "`), // digit string: kept
    pin({ follower_count: 'lots' }),
    pin({ follower_count: -5 }),
    pin({ follower_count: 2.5 }),
    pin({ downloaded: true }),
    pin({ title: 7 }),
    pin({ index: ind + 2, follower_count: '2.5' }), // rounds half away from zero → 3
    `${pin({ index: ind + 3 }).slice(0, -1)},}`, // trailing comma: DuckDB accepts it
    pin({ index: ind + 4 }).replace('"downloaded":1', '"downloaded":1,"downloaded":"x"'), // duplicate key: first wins
    pin({ index: ind + 5, follower_count: 7 }).replace('"follower_count":7', '"follower_count":NaN'),
    pin({ index: ind + 6, follower_count: '999999999999999999999' }),
    pin({ index: ind + 7, follower_count: '12.5M' }),
  ];
}

function corruptGeoLines(ind: number): string[] {
  const geo = (over: Record<string, unknown>) =>
    JSON.stringify({
      ind,
      timestamp: '2020-08-28 03:52:47',
      latitude: 1.5,
      longitude: '-2.25',
      country: 'Chad',
      ...over,
    });
  return [
    geo({ ind: ind + 1, timestamp: '2021-12-31T23:30:00-01:00' }), // → 2022 in UTC
    geo({ ind: ind + 2, timestamp: '2019-01-01T00:30:00+01:00' }), // → 2018 in UTC
    geo({ ind: ind + 3, timestamp: '2020-08-28T03:52:47.123456789Z' }),
    geo({ ind: ind + 4, timestamp: '2020-08-28' }),
    geo({ ind: ind + 5, timestamp: '' }),
    geo({ timestamp: '28/08/2020' }),
    geo({ timestamp: '2020-02-30 00:00:00' }),
    geo({ latitude: 'north' }),
    geo({ latitude: 'Infinity' }),
    geo({ ind: ind + 6, latitude: '1e3', longitude: 5 }),
    geo({ country: ['Chad'] }),
  ];
}

function corruptUserLines(ind: number): string[] {
  const user = (over: Record<string, unknown>) =>
    JSON.stringify({
      ind,
      first_name: 'A',
      last_name: 'B',
      age: 30,
      date_joined: '2016-05-05 10:00:00',
      ...over,
    });
  return [
    user({ age: '30.5' }),
    user({ age: 2 ** 64 }), // beyond BIGINT
    user({ ind: ind + 1, age: '-3' }),
    user({ ind: ind + 2, age: 51, date_joined: '2020-12-31T23:59:59-05:00' }), // → 2021: out of range
    user({ date_joined: 5 }),
    user({ first_name: null, ind: ind + 3 }),
  ];
}

/**
 * Generated data: testkit/batch-data.ts (placeholders, k/M/decimal counts, posts sent twice) plus,
 * per topic, an object of corrupt lines and a replayed object that overlaps an existing one.
 */
export function generate(dir: string, seed: number): void {
  generateBenchData({ dir, posts: 1500, partitions: 2, flushSize: 200, resendRate: 0.05, seed });
  const rand = mulberry32(seed);
  const extra = { pin: corruptPinLines, geo: corruptGeoLines, user: corruptUserLines };
  for (const kind of ['pin', 'geo', 'user'] as const) {
    const topic = `${PID}.${kind}`;
    const folder = path.join(dir, 'topics', topic, 'partition=1');
    const existing = fs.readdirSync(folder).sort();
    // a replay: the sink re-wrote part of an object, starting 37 lines in, under another key
    const first = existing[0]!;
    const start = Number(/\+(\d+)\.json$/.exec(first)![1]);
    const lines = fs.readFileSync(path.join(folder, first), 'utf8').split('\n').slice(37, 120);
    const replay = sinkKey('topics', topic, 1, start + 37);
    fs.writeFileSync(path.join(dir, replay), `${lines.join('\n')}\n`);
    // corrupt lines at new offsets of partition 5, one invalid UTF-8 line among them, CRLF endings
    const bad = extra[kind](100000 + Math.floor(rand() * 1000));
    const body = Buffer.concat([
      Buffer.from(`${bad.join('\r\n')}\r\n`),
      Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]),
      Buffer.from(`${bad[0]}\n`),
    ]);
    const key = sinkKey('topics', topic, 5, 1000);
    fs.mkdirSync(path.dirname(path.join(dir, key)), { recursive: true });
    fs.writeFileSync(path.join(dir, key), body);
    // the same corrupt object replayed: its offsets are copies, not new quarantined lines
    fs.writeFileSync(
      path.join(dir, sinkKey('topics', topic, 5, 1003)),
      body.subarray(body.indexOf(0x0a, body.indexOf(0x0a, body.indexOf(0x0a) + 1) + 1) + 1),
    );
  }
}
