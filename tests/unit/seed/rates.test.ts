import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../../src/seed/generator.ts';
import { PIN_DIRTY_VALUES, PLACEHOLDERS, RATES, drawProbabilities } from '../../../src/seed/rates.ts';
import { schema } from '../../../src/seed/schema.ts';

// Each placeholder's share within ±1 percentage point of its configured rate.
const N = 100_000;
const cols = schema().pinterest_data.columns.map((c) => c.name);
const col = (name: string) => cols.indexOf(name);

function count(rows: Array<Array<string | number>>, column: string, value: string): number {
  const i = col(column);
  return rows.filter((r) => r[i] === value).length;
}

describe('placeholder rates on 100k generated rows', () => {
  const rows = [...rowsOf('pinterest_data', { seed: 2024, rows: N })];

  const cases: Array<[string, string, string, number]> = [
    ['title placeholder', 'title', PLACEHOLDERS.title, RATES.title],
    ['empty title', 'title', '', RATES.titleEmpty],
    ['description placeholder', 'description', PLACEHOLDERS.description, RATES.description],
    ['story description', 'description', PLACEHOLDERS.descriptionStory, RATES.descriptionStory],
    ['empty description', 'description', '', RATES.descriptionEmpty],
    ['poster_name User Info Error', 'poster_name', PLACEHOLDERS.userInfo, RATES.userInfo],
    ['follower_count User Info Error', 'follower_count', PLACEHOLDERS.userInfo, RATES.userInfo],
    ['tag_list placeholder', 'tag_list', PLACEHOLDERS.tagList, RATES.tagList],
    ['empty tag_list', 'tag_list', '', RATES.tagListEmpty],
    ['story format', 'is_image_or_video', PLACEHOLDERS.storyFormat, RATES.storyFormat],
    ['video', 'is_image_or_video', 'video', RATES.video],
    ['image_src placeholder', 'image_src', PLACEHOLDERS.imageSrc, RATES.imageSrc],
  ];
  it.each(cases)('%s', (_label, column, value, rate) => {
    const share = count(rows, column, value) / N;
    expect(Math.abs(share - rate)).toBeLessThanOrEqual(0.01);
    expect(share).toBeGreaterThan(0);
  });

  it('whole scrape-failure rows at the configured rate', () => {
    const failed = rows.filter(
      (r) =>
        r[col('title')] === PLACEHOLDERS.title &&
        r[col('description')] === PLACEHOLDERS.description &&
        r[col('poster_name')] === PLACEHOLDERS.userInfo &&
        r[col('follower_count')] === PLACEHOLDERS.userInfo &&
        r[col('tag_list')] === PLACEHOLDERS.tagList &&
        r[col('image_src')] === PLACEHOLDERS.imageSrc,
    );
    // Independent single placeholders can coincide on a row by chance (about 1e-6): negligible.
    expect(Math.abs(failed.length / N - RATES.scrapeFailure)).toBeLessThanOrEqual(0.01);
    expect(failed.every((r) => r[col('downloaded')] === 0)).toBe(true);
  });

  it('rows with a single placeholder exist', () => {
    const dirtyCount = (r: Array<string | number>) =>
      Object.entries(PIN_DIRTY_VALUES).filter(([c, values]) => values.includes(r[col(c)] as string)).length;
    const single = rows.filter((r) => dirtyCount(r) === 1).length / N;
    expect(single).toBeGreaterThan(0.1);
  });

  it('save_location is always the prefix and a path ending with the category', () => {
    const bad = rows.filter((r) => {
      const loc = r[col('save_location')] as string;
      return !loc.startsWith(PLACEHOLDERS.saveLocationPrefix) || !loc.endsWith(`/${r[col('category')]}`);
    });
    expect(bad).toEqual([]);
  });

  it('downloaded is 0 exactly where image_src is in error', () => {
    const bad = rows.filter(
      (r) => (r[col('downloaded')] === 0) !== (r[col('image_src')] === PLACEHOLDERS.imageSrc),
    );
    expect(bad).toEqual([]);
  });
});

describe('drawProbabilities', () => {
  it('gives probabilities in [0, 1] for the configured rates', () => {
    for (const v of Object.values(drawProbabilities())) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('rejects rates that cannot be met (a placeholder rarer than the failure rows that carry it)', () => {
    expect(() => drawProbabilities({ ...RATES, title: RATES.scrapeFailure / 2 })).toThrow(/inconsistent/);
  });
});
