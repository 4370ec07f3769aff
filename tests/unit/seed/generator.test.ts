import { createHash } from 'node:crypto';
import { Faker, base, en } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { AGE_RANGE, rowsOf, type Row } from '../../../src/seed/generator.ts';
import { TABLE_NAMES, schema, type TableName } from '../../../src/seed/schema.ts';
import { tsvLine } from '../../../src/seed/tsv.ts';
import { CATEGORIES, KEYWORDS } from '../../../src/seed/vocab.ts';
import { PLACEHOLDERS } from '../../../src/seed/rates.ts';

function digest(table: TableName, seed: number, rows: number): string {
  const h = createHash('sha256');
  for (const r of rowsOf(table, { seed, rows })) h.update(tsvLine(r));
  return h.digest('hex');
}

const DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

describe('generator determinism', () => {
  it.each(TABLE_NAMES)('%s: the same seed gives the same bytes, another seed other bytes', (t) => {
    expect(digest(t, 42, 3000)).toBe(digest(t, 42, 3000));
    expect(digest(t, 42, 3000)).not.toBe(digest(t, 43, 3000));
  });

  // Byte-identical on any machine: these digests were computed on the development machine. A change
  // of generator output changes every database seeded from it: update them only together with
  // GENERATOR_VERSION in src/seed/inspect.ts, and say so in docs/seed.md.
  it.each([
    ['pinterest_data', '47de3e72a550df13ab658dcbd58ea54f50014d60d1c020cda25a24378ddc4346'],
    ['geolocation_data', '904de5511f0573ac06b4c43fbbb310cd9805fcd986430dbf0f5b74d9c89938a0'],
    ['user_data', '86ee5b0caa42b203f06c372532a43c59563c21215633fe9b30f854848c3da8c1'],
  ] as const)('%s: seed 42 gives the recorded bytes', (t, want) => {
    expect(digest(t, 42, 1000)).toBe(want);
  });

  it('geo row 1 of seed 42', () => {
    expect([...rowsOf('geolocation_data', { seed: 42, rows: 1 })][0]).toEqual([
      1,
      '2021-05-08 00:30:51',
      -64.0124,
      51.4014,
      'Bhutan',
    ]);
  });
});

describe('generated rows', () => {
  const N = 20_000;
  const all = Object.fromEntries(TABLE_NAMES.map((t) => [t, [...rowsOf(t, { seed: 7, rows: N })]])) as Record<
    TableName,
    Row[]
  >;

  it.each(TABLE_NAMES)('%s: keys 1..N in order, one value per schema column', (t) => {
    const rows = all[t];
    expect(rows).toHaveLength(N);
    const width = schema()[t].columns.length;
    expect(rows.filter((r, i) => r[0] !== i + 1 || r.length !== width)).toEqual([]);
  });

  it('pins: the 13 categories, all used; tags and titles from the category', () => {
    const cols = schema().pinterest_data.columns.map((c) => c.name);
    const cat = cols.indexOf('category');
    const seen = new Set(all.pinterest_data.map((r) => r[cat]));
    expect([...seen].sort()).toEqual([...CATEGORIES].sort());
    const tags = cols.indexOf('tag_list');
    for (const r of all.pinterest_data.slice(0, 2000)) {
      const t = r[tags] as string;
      if (t === '' || t === PLACEHOLDERS.tagList) continue;
      const kws = KEYWORDS[r[cat] as (typeof CATEGORIES)[number]];
      expect(t.split(',').every((tag) => kws.some((k) => tag.endsWith(k)))).toBe(true);
    }
  });

  it('pins: unique_id is a v4 UUID, image_src a pinimg URL, follower counts like 8632, 1.2k, 124k, 5M', () => {
    const cols = schema().pinterest_data.columns.map((c) => c.name);
    const ids = all.pinterest_data.map((r) => r[cols.indexOf('unique_id')] as string);
    expect(
      ids.filter((id) => !/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)),
    ).toEqual([]);
    expect(new Set(ids).size).toBe(N);
    const srcs = all.pinterest_data.map((r) => r[cols.indexOf('image_src')] as string);
    const url =
      /^https:\/\/i\.pinimg\.com\/originals\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{32}\.jpg$/;
    expect(srcs.filter((s) => s !== PLACEHOLDERS.imageSrc && !url.test(s))).toEqual([]);
    const counts = all.pinterest_data
      .map((r) => r[cols.indexOf('follower_count')] as string)
      .filter((fc) => fc !== PLACEHOLDERS.userInfo);
    expect(counts.filter((fc) => !/^(\d{1,4}|\d\.\dk|\dk|\d{2,3}k|\d{1,2}M)$/.test(fc))).toEqual([]);
    const shapes = [/^\d+$/, /^\d\.\dk$/, /^\d+k$/, /^\d+M$/].map(
      (re) => counts.filter((fc) => re.test(fc)).length,
    );
    for (const n of shapes) expect(n).toBeGreaterThan(N / 100);
  });

  it('geo: timestamps 2015–2022, coordinates uniform with ≤4 decimals and ≤6 significant digits, world country names', () => {
    const countries = new Set(new Faker({ locale: [en, base] }).definitions.location.country);
    const bad = all.geolocation_data.filter(([, ts, lat, lon, country]) => {
      const t = ts as string;
      const [la, lo] = [lat as number, lon as number];
      return (
        !DATETIME.test(t) ||
        t < '2015-01-01 00:00:00' ||
        t > '2022-12-31 23:59:59' ||
        Math.abs(la) > 90 ||
        Math.abs(lo) > 180 ||
        Number(la.toFixed(4)) !== la ||
        Number(lo.toFixed(4)) !== lo ||
        Number(la.toPrecision(6)) !== la ||
        Number(lo.toPrecision(6)) !== lo ||
        !countries.has(country as string)
      );
    });
    expect(bad).toEqual([]);
    expect(new Set(all.geolocation_data.map((r) => r[4])).size).toBeGreaterThan(200);
    const years = new Set(all.geolocation_data.map((r) => (r[1] as string).slice(0, 4)));
    expect([...years].sort()).toEqual(['2015', '2016', '2017', '2018', '2019', '2020', '2021', '2022']);
  });

  it('users: ages 18–60 skewed young, joined mostly 2015–2017 with a tail to 2020', () => {
    const ages = all.user_data.map((r) => r[3] as number).sort((a, b) => a - b);
    expect(ages[0]).toBe(AGE_RANGE.min);
    expect(ages[ages.length - 1]).toBe(AGE_RANGE.max);
    const median = ages[Math.floor(ages.length / 2)]!;
    expect(median).toBeGreaterThanOrEqual(25);
    expect(median).toBeLessThan(33);
    const joined = all.user_data.map((r) => r[4] as string);
    expect(joined.filter((j) => !DATETIME.test(j))).toEqual([]);
    const early = joined.filter((j) => j < '2018').length / N;
    expect(early).toBeGreaterThan(0.85);
    const byYear = new Set(joined.map((j) => j.slice(0, 4)));
    expect([...byYear].sort()).toEqual(['2015', '2016', '2017', '2018', '2019', '2020']);
  });

  it('the first k rows do not depend on how many rows follow (geo and user)', () => {
    for (const t of ['geolocation_data', 'user_data'] as const) {
      expect([...rowsOf(t, { seed: 7, rows: 100 })]).toEqual(all[t].slice(0, 100));
    }
  });
});
