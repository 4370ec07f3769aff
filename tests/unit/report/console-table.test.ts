import { describe, expect, it } from 'vitest';
import { renderResults, renderTable } from '../../../src/report/console-table.ts';

describe('renderTable', () => {
  it('aligns columns, right-aligns numbers and shows NULL', () => {
    const out = renderTable([
      { country: 'Albania', poster_name: 'Of Life & Lisa | Lifestyle Blog', follower_count: 124000 },
      { country: 'Chad', poster_name: null, follower_count: null },
      { country: 'Angola', poster_name: 'x', follower_count: 7 },
    ]);
    const lines = out.split('\n');
    expect(lines[0]).toBe('country  poster_name                      follower_count');
    expect(lines[1]).toBe('-------  -------------------------------  --------------');
    expect(lines[2]).toBe('Albania  Of Life & Lisa | Lifestyle Blog          124000');
    expect(lines[3]).toBe('Chad     NULL                                       NULL');
    expect(lines[4]).toBe('Angola   x                                             7');
  });

  it('keeps the given column order and shows an empty result', () => {
    expect(renderTable([{ a: 1, b: 'x' }], ['b', 'a']).split('\n')[0]).toBe('b  a');
    expect(renderTable([], ['post_year', 'n'])).toContain('(no rows)');
    expect(renderTable([])).toBe('(no rows)');
  });

  it('keeps one row on one line and rounds fractions to two decimals', () => {
    const out = renderTable([
      { name: 'a\nb\tc', median: 6012.5 },
      { name: 'z', median: 1 / 3 },
    ]);
    expect(out.split('\n')).toHaveLength(4);
    expect(out).toContain('a b c');
    expect(out).toContain('0.33');
  });
});

describe('renderResults', () => {
  it('titles each result in the spec order, then unknown results', () => {
    const out = renderResults({
      extra_result: [{ x: 1 }],
      users_joined_by_year: [{ post_year: 2015, number_users_joined: 3 }],
      popular_category_by_country: [],
    });
    const titles = out.split('\n').filter((l) => l.startsWith('== '));
    expect(titles).toEqual([
      '== 4. Most popular category in each country (popular_category_by_country) — 0 rows',
      '== 9. Users who joined each year, 2015–2020 (users_joined_by_year) — 1 row',
      '== extra_result — 1 row',
    ]);
    // an empty known result still shows its columns
    expect(out).toContain('country  category  category_count');
  });

  it('with maxRows shows the first rows of each result and says how many more, and how to see them', () => {
    const years = Array.from({ length: 6 }, (_, i) => ({ post_year: 2015 + i, number_users_joined: i }));
    const out = renderResults(
      { users_joined_by_year: years, extra_result: [{ x: 1 }] },
      { maxRows: 2, more: (name) => `pinpipe sql "select * from ${name}"` },
    );
    expect(out.split('\n')).toEqual([
      '== 9. Users who joined each year, 2015–2020 (users_joined_by_year) — 6 rows',
      expect.stringMatching(/^A "user" is a row of the user table/),
      'post_year  number_users_joined',
      '---------  -------------------',
      '     2015                    0',
      '     2016                    1',
      '… 4 more row(s): pinpipe sql "select * from users_joined_by_year"',
      '',
      '== extra_result — 1 row',
      'x',
      '-',
      '1',
    ]);
    expect(renderResults({ users_joined_by_year: years }).split('\n')).toHaveLength(10);
    // one row more than maxRows is shown rather than announced
    expect(renderResults({ users_joined_by_year: years }, { maxRows: 5 })).not.toMatch(/more row/);
  });
});
