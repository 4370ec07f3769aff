import { beforeAll, describe, expect, it } from 'vitest';
import { RESULT_NAMES, type Results } from '../../../src/report/catalog.ts';
import { renderReportHtml } from '../../../src/report/html.ts';
import { readResults } from '../../../src/report/read-results.ts';
import { attr, chartOf, count, FIXTURE_DIR, markRows } from './html-helpers.ts';

let fixture: Results;
let summary: unknown;
let html: string;

beforeAll(async () => {
  ({ results: fixture, summary } = await readResults(FIXTURE_DIR));
  html = renderReportHtml(fixture, {
    runDate: '2026-11-25',
    generatedAt: '2026-11-25T17:30:00.000Z',
    summary,
  });
});

// Marks expected per chart from the fixture: per-country charts show the top 15; NULLs are not plotted.
const EXPECTED_MARKS: Record<string, number> = {
  popular_category_by_country: 15,
  popular_category_by_year: 5,
  top_user_by_country: 15,
  top_country_by_followers: 1,
  popular_category_by_age_group: 4,
  median_followers_by_age_group: 4,
  users_joined_by_year: 6,
  median_followers_by_join_year: 6,
  median_followers_by_join_year_and_age_group: 23,
};

describe('renderReportHtml with the fixture', () => {
  it('has a section, a table with every row and a chart for each of the nine results', () => {
    expect(RESULT_NAMES).toHaveLength(9);
    for (const name of RESULT_NAMES) {
      expect(html).toContain(`<section class="result" id="${name}"`);
      expect(html).toContain(
        `<table class="result-table" data-result="${name}" data-rows="${fixture[name]!.length}">`,
      );
      expect(chartOf(html, name), name).toBeDefined();
    }
    expect(count(html, /<svg class="chart/)).toBe(9);
    expect(count(html, /<tr><td/)).toBe(Object.values(fixture).reduce((n, rows) => n + rows.length, 0));
  });

  it('plots one mark per plotted row, each pointing at a distinct row of the result', () => {
    for (const [name, expected] of Object.entries(EXPECTED_MARKS)) {
      const svg = chartOf(html, name)!;
      const rows = markRows(svg);
      expect(rows, name).toHaveLength(expected);
      expect(new Set(rows).size, name).toBe(expected);
      expect(attr(svg, 'data-plotted'), name).toBe(String(expected));
      expect(attr(svg, 'data-rows'), name).toBe(String(fixture[name]!.length));
      for (const r of rows) expect(r).toBeLessThan(fixture[name]!.length);
    }
  });

  it('draws bar charts and line charts where the issue asks', () => {
    for (const name of ['popular_category_by_country', 'top_user_by_country', 'top_country_by_followers']) {
      expect(chartOf(html, name)).toMatch(/^<svg class="chart chart-hbar"/);
    }
    for (const name of [
      'popular_category_by_age_group',
      'median_followers_by_age_group',
      'users_joined_by_year',
    ]) {
      expect(chartOf(html, name)).toMatch(/^<svg class="chart chart-vbar"/);
    }
    for (const name of ['popular_category_by_year', 'median_followers_by_join_year']) {
      const svg = chartOf(html, name)!;
      expect(svg).toMatch(/^<svg class="chart chart-line"/);
      expect(count(svg, /<path class="line"/)).toBe(1);
    }
    // one line per age group
    const split = chartOf(html, 'median_followers_by_join_year_and_age_group')!;
    expect(count(split, /<path class="line"/)).toBe(4);
    expect([...split.matchAll(/<g class="series" data-series="([^"]*)"/g)].map((m) => m[1])).toEqual([
      '18-24',
      '25-35',
      '36-50',
      '+50',
    ]);
  });

  it('ranks the top 15 countries by count, ties by name, and leaves NULL counts out', () => {
    const svg = chartOf(html, 'popular_category_by_country')!;
    const labels = [
      ...svg.matchAll(/<rect class="mark" data-row="\d+" data-label="([^"]*)" data-value="(\d+)"/g),
    ];
    const values = labels.map((m) => Number(m[2]));
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(labels[0]![1]).toBe('Afghanistan');
    // 9 is shared by Algeria, Aruba and Belgium: alphabetical
    expect(labels.filter((m) => m[2] === '9').map((m) => m[1])).toEqual(['Algeria', 'Aruba', 'Belgium']);
    // Benin's top user has a NULL follower count: in the table, not in the chart
    expect(chartOf(html, 'top_user_by_country')).not.toContain('data-label="Benin"');
    expect(html).toContain('<td>Benin</td><td class="null">NULL</td><td class="null">NULL</td>');
  });

  it('shows the runners-up of top_country_by_followers as greyed context, not as marks', () => {
    const svg = chartOf(html, 'top_country_by_followers')!;
    expect(count(svg, /<rect class="context"/)).toBe(9);
    expect(svg).toMatch(/<rect class="mark" data-row="0" data-label="Afghanistan"/);
  });

  it('shows the batch summary and the run date', () => {
    expect(html).toContain('<title>pinpipe report — 2026-11-25</title>');
    expect(html).toContain('<th scope="row">rows.pin</th><td class="num">10,961</td>');
    // paths and samples of the batch summary stay out of the report
    expect(html).not.toContain('quarantined.samples');
    expect(html).not.toContain('duckdbPath');
  });
});

describe('escaping and self-containment', () => {
  it('escapes poster names with &, |, quotes and markup everywhere', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<b>Crafty');
    expect(html).toContain('<td>Art Studio &lt;script&gt;alert(1)&lt;/script&gt;</td>');
    expect(html).toContain('<td>Sassy &amp; &quot;Savvy&quot; Kitchen</td>');
    expect(html).toContain('<td>Mom&#39;s &lt;b&gt;Crafty&lt;/b&gt; Corner</td>');
    expect(html).toContain('Of Life &amp; Lisa | Lifestyle Blog');
    expect(html).toContain('data-label="Cote d&#39;Ivoire"');
    // no raw & outside entities
    expect(html).not.toMatch(/&(?!(amp|lt|gt|quot|#39);)/);
  });

  it('escapes result names and meta fields it did not write itself', () => {
    const out = renderReportHtml(
      { ...fixture, 'x"><img src=y>': [{ 'a<b': '"q"' }] },
      { source: '/tmp/<evil>&', profile: 'p"' },
    );
    expect(out).not.toContain('<img');
    expect(out).toContain('<code>/tmp/&lt;evil&gt;&amp;</code>');
    expect(out).toContain('<th scope="col">a&lt;b</th>');
  });

  it('fetches nothing: no script, no external URL, no @import, a CSP that forbids loading', () => {
    const urls = [...html.matchAll(/https?:\/\/[^\s"')<]+/g)].map((m) => m[0]);
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
    expect(html).not.toMatch(/@import|url\(|<link|<img|<iframe/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
  });
});

describe('empty, NULL-only and missing results', () => {
  it('renders a "no rows" note instead of a chart for an empty result', () => {
    const out = renderReportHtml({ ...fixture, users_joined_by_year: [] });
    expect(chartOf(out, 'users_joined_by_year')).toBeUndefined();
    expect(out).toContain('<p class="no-rows" data-result="users_joined_by_year">No rows');
    expect(out).toContain(
      'data-result="users_joined_by_year" data-rows="0"><thead><tr><th scope="col">post_year</th>',
    );
    expect(out).toContain('<td class="no-rows" colspan="2">no rows</td>');
    expect(count(out, /<svg class="chart/)).toBe(8);
  });

  it('renders a note when no value can be plotted', () => {
    const out = renderReportHtml({
      median_followers_by_age_group: [{ age_group: '18-24', median_follower_count: null }],
    });
    expect(chartOf(out, 'median_followers_by_age_group')).toBeUndefined();
    expect(out).toContain('<p class="no-rows" data-result="median_followers_by_age_group">No plottable rows');
  });

  it('says which results are missing', () => {
    const out = renderReportHtml({ users_joined_by_year: fixture.users_joined_by_year! });
    expect(count(out, /<p class="missing"/)).toBe(8);
    expect(out).toContain('<section class="result" id="popular_category_by_country"');
  });

  it('draws a single point and a single bar', () => {
    const out = renderReportHtml({
      median_followers_by_join_year: [{ post_year: 2017, median_follower_count: 5 }],
      users_joined_by_year: [{ post_year: 2017, number_users_joined: 0 }],
    });
    expect(markRows(chartOf(out, 'median_followers_by_join_year')!)).toEqual([0]);
    expect(markRows(chartOf(out, 'users_joined_by_year')!)).toEqual([0]);
    expect(out).not.toMatch(/NaN|Infinity/);
  });

  it('orders age groups as the spec does, whatever the row order', () => {
    const rows = ['+50', '36-50', '18-24', '25-35'].map((g, i) => ({
      age_group: g,
      median_follower_count: i + 1,
    }));
    const svg = chartOf(
      renderReportHtml({ median_followers_by_age_group: rows }),
      'median_followers_by_age_group',
    )!;
    expect([...svg.matchAll(/data-label="([^"]*)"/g)].map((m) => m[1])).toEqual([
      '18-24',
      '25-35',
      '36-50',
      '+50',
    ]);
  });
});

describe('ties in top_country_by_followers', () => {
  it('says how many countries tie with the winner', () => {
    const out = renderReportHtml({
      top_user_by_country: [
        { country: 'Chad', poster_name: 'a', follower_count: 19_000_000 },
        { country: 'Anguilla', poster_name: 'b', follower_count: 19_000_000 },
        { country: 'Belarus', poster_name: 'c', follower_count: 19_000_000 },
        { country: 'Peru', poster_name: 'd', follower_count: 5 },
      ],
      top_country_by_followers: [{ country: 'Anguilla', follower_count: 19_000_000 }],
    });
    expect(out).toContain('2 other countries tie at 19,000,000');
    expect(markRows(chartOf(out, 'top_country_by_followers')!)).toEqual([0]);
  });
});
