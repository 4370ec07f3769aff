import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, sqlString, type Database } from '../../../src/batch/duckdb.ts';
import { runLayer } from '../../../src/batch/models.ts';

// The rules of models/rules/placeholders.sql and macros.sql, one expression at a time.
describe('batch SQL rules', () => {
  let db: Database;
  const one = async (expr: string) => Object.values((await db.rows(`SELECT ${expr} AS v`, 'test'))[0]!)[0];
  beforeAll(async () => {
    db = await openDatabase(':memory:');
    await runLayer(db, 'rules');
  });
  afterAll(() => db.close());

  it.each([
    ['124k', 124000],
    ['5M', 5000000],
    ['8632', 8632],
    ['1.2k', 1200],
    ['2.5M', 2500000],
    ['1.25k', 1250],
    ['1.2345k', 1235], // rounded half away from zero to a whole count
    ['0.5k', 500],
    ['12m', 12000000],
    [' 7K ', 7000],
    ['0', 0],
    ['12.5', 13],
    ['User Info Error', null],
    ['', null],
    ['lots', null],
    ['-5k', null],
    ['1,234', null],
    ['99999999999999999999', null],
  ])('parse_follower_count(%j) = %j', async (text, expected) => {
    expect(await one(`parse_follower_count(${sqlString(text)})`)).toBe(expected);
  });

  it.each([
    ['title', 'No Title Data Available'],
    ['description', 'No description available Story format'],
    ['description', 'No description available'],
    ['poster_name', 'User Info Error'],
    ['follower_count', 'User Info Error'],
    ['tag_list', 'N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e'],
    ['image_src', 'Image src error.'],
    ['is_image_or_video', 'multi-video(story page format)'],
    ['category', ''],
    ['title', ''],
  ])('clean_text(%j, %j) is NULL', async (col, value) => {
    expect(await one(`clean_text(${sqlString(col)}, ${sqlString(value)})`)).toBeNull();
  });

  it('keeps real values, and a placeholder of another column', async () => {
    expect(await one(`clean_text('title', 'User Info Error')`)).toBe('User Info Error');
    expect(await one(`clean_text('is_image_or_video', 'video')`)).toBe('video');
    expect(await one(`clean_text('description', 'No description available yet')`)).toBe(
      'No description available yet',
    );
    expect(await one(`clean_text('title', NULL)`)).toBeNull();
  });

  it.each([
    ['2020-08-28 03:52:47', '2020-08-28T03:52:47.000Z'],
    ['2020-08-28T03:52:47', '2020-08-28T03:52:47.000Z'],
    ['2020-08-28T03:52:47Z', '2020-08-28T03:52:47.000Z'],
    ['2020-08-28T03:52:47.250Z', '2020-08-28T03:52:47.250Z'],
    ['2020-01-01T01:00:00+02:00', '2019-12-31T23:00:00.000Z'],
    ['2020-08-28', '2020-08-28T00:00:00.000Z'],
    ['yesterday', null],
    ['2020-13-01 00:00:00', null],
  ])('parse_datetime(%j) = %j', async (text, expected) => {
    expect(await one(`parse_datetime(${sqlString(text)})`)).toBe(expected);
  });

  it.each([
    ['2020-02-30 00:00:00', null],
    ['2020-08-28 24:00:00', '2020-08-29T00:00:00.000Z'],
    ['2020-08-28 03:52:60', null],
    ['1969-12-31 23:59:59', '1969-12-31T23:59:59.000Z'],
    ['2020-08-28 03:52:47+01', '2020-08-28T02:52:47.000Z'], // not the original's shape: the rule converts the offset
    [' 2020-08-28 03:52:47 ', '2020-08-28T03:52:47.000Z'],
  ])('parse_datetime(%j) = %j at the edges of its fast path', async (text, expected) => {
    expect(await one(`parse_datetime(${sqlString(text)})`)).toBe(expected);
  });

  it("parse_datetime's fast path equals the TIMESTAMPTZ rule on 200,000 random texts of the original's shape", async () => {
    // digits drawn anywhere (invalid months, days, hours, leap days, year 0000 included)
    const [row] = await db.rows(
      `WITH texts AS (
         SELECT printf('%04d-%02d-%02d %02d:%02d:%02d',
                       CAST(floor(random() * 10000) AS INT), CAST(floor(random() * 14) AS INT),
                       CAST(floor(random() * 33) AS INT), CAST(floor(random() * 26) AS INT),
                       CAST(floor(random() * 62) AS INT), CAST(floor(random() * 62) AS INT)) AS s
         FROM range(200000))
       SELECT count(*) AS n,
              count(*) FILTER (WHERE parse_datetime(s) IS NOT DISTINCT FROM try_cast(s AS TIMESTAMPTZ)::TIMESTAMP) AS same,
              count(parse_datetime(s)) AS parsed
       FROM texts`,
      'test',
    );
    expect(row).toMatchObject({ n: 200000, same: 200000 });
    expect(row!.parsed).toBeGreaterThan(50000); // the draw reaches valid datetimes too
  });

  it.each([
    [17, null],
    [18, '18-24'],
    [24, '18-24'],
    [25, '25-35'],
    [35, '25-35'],
    [36, '36-50'],
    [50, '36-50'],
    [51, '+50'],
    [99, '+50'],
    ['NULL', null],
  ])('age %s is in group %j', async (age, group) => {
    const rows = await db.rows(
      `SELECT age_group FROM age_groups WHERE ${age} BETWEEN min_age AND max_age`,
      'test',
    );
    expect(rows.length <= 1).toBe(true);
    expect(rows[0]?.age_group ?? null).toBe(group);
  });

  it.each([
    ['{"a": 1}', 'a', 'key', null],
    ['{"a": "12"}', 'a', 'key', null],
    ['{"b": 1}', 'a', 'key', 'missing column a'],
    ['{"a": null}', 'a', 'key', 'a is null'],
    ['{"a": null}', 'a', 'int', null],
    ['{"a": 1.5}', 'a', 'int', 'a: expected an integer, got a decimal number'],
    ['{"a": true}', 'a', 'text', 'a: expected a string, got a boolean'],
    ['{"a": {"x": 1}}', 'a', 'text', 'a: expected a string, got an object'],
    ['{"a": "1e3"}', 'a', 'float', null],
    ['{"a": "nan"}', 'a', 'float', 'a: expected a number, got a string'],
    ['{"a": 8632}', 'a', 'count', null],
    ['{"a": -1}', 'a', 'count', 'a: expected a count such as 8632, 124k, 1.2k or 5M'],
    ['{"a": ""}', 'a', 'datetime', null],
  ])('column_problem on %s (%s as %s) = %j', async (json, col, kind, expected) => {
    const j = sqlString(json);
    const p = sqlString(`$.${col}`);
    expect(
      await one(
        `column_problem(${sqlString(col)}, ${sqlString(kind)}, json_type(${j}, ${p}), json_extract_string(${j}, ${p}))`,
      ),
    ).toBe(expected);
  });

  it.each([
    ['{"a": 1}', null],
    ['', 'empty line'],
    ['{"a": 1', 'not JSON (malformed or truncated)'],
    ['   ', 'empty line'],
    ['"text"', null], // valid JSON: object_problem() says it is not an object
    ['\u0001pinpipe:invalid-utf8', 'not valid UTF-8'],
  ])('line_problem(%j) = %j', async (line, expected) => {
    expect(await one(`line_problem(${sqlString(line)})`)).toBe(expected);
  });

  it.each([
    ['"text"', 'not a JSON object'],
    ['[1, 2]', 'not a JSON object'],
    ['{"b": 1}', null], // an object without the columns: column_problem() names the missing ones
    ['{"a": 1}', null],
  ])('object_problem(%j) = %j', async (line, expected) => {
    const l = sqlString(line);
    expect(await one(`object_problem(${l}, json_type(${l}, ['$.a']))`)).toBe(expected);
  });
});
