import type { ResultName, Results, Row } from './catalog.ts';
import { escapeHtml } from './escape.ts';
import { toNumber } from './format.ts';
import { formatGrouped } from './scale.ts';
import { ageGroupColor, categoryColor, compareAgeGroups, CONTEXT, NEUTRAL } from './palette.ts';
import {
  horizontalBarChart,
  lineChart,
  verticalBarChart,
  type Bar,
  type LegendItem,
  type LineSeries,
} from './svg.ts';

/** Countries shown in the per-country bar charts (the tables list them all). */
export const TOP_COUNTRIES = 15;
/** Other countries shown, greyed, next to the winner of top_country_by_followers. */
export const CONTEXT_COUNTRIES = 9;

type Indexed = { row: Row; index: number };

const str = (v: unknown) => (v === null || v === undefined ? 'NULL' : String(v));

function indexed(rows: Row[]): Indexed[] {
  return rows.map((row, index) => ({ row, index }));
}

/** Rows with a plottable number in `col`, biggest first, ties by `label` ascending (as the spec ranks). */
function ranked(rows: Row[], col: string, label: string): Indexed[] {
  return indexed(rows)
    .filter((r) => toNumber(r.row[col]) !== undefined)
    .sort(
      (a, b) =>
        toNumber(b.row[col])! - toNumber(a.row[col])! || str(a.row[label]).localeCompare(str(b.row[label])),
    );
}

function byYear(rows: Row[], yearCol: string, valueCol: string): Indexed[] {
  return indexed(rows)
    .filter((r) => toNumber(r.row[yearCol]) !== undefined && toNumber(r.row[valueCol]) !== undefined)
    .sort((a, b) => toNumber(a.row[yearCol])! - toNumber(b.row[yearCol])!);
}

function categoryLegend(items: Indexed[]): LegendItem[] {
  const cats = [...new Set(items.map((r) => str(r.row.category)))].sort();
  return cats.map((c) => ({ label: c, color: categoryColor(c) }));
}

function emptyNote(result: string, why: string): string {
  return `<p class="no-rows" data-result="${escapeHtml(result)}">${escapeHtml(why)}</p>`;
}

type ChartFn = (rows: Row[], all: Results) => string | undefined;

/** How a row becomes a bar: the label column, an optional detail column, and its colour. */
interface BarOf {
  label: string;
  detail?: string;
  color: (row: Row) => string;
}

function barsOf(items: Indexed[], valueName: string, of: BarOf): Bar[] {
  return items.map(({ row, index }) => ({
    label: str(row[of.label]),
    detail: of.detail === undefined ? undefined : str(row[of.detail]),
    value: toNumber(row[valueName])!,
    color: of.color(row),
    row: index,
  }));
}

/** The top countries by `valueName`, one horizontal bar each. */
function countryChart(
  result: string,
  title: (shown: number) => string,
  rows: Row[],
  valueName: string,
  of: Omit<BarOf, 'label'>,
  legend?: (top: Indexed[]) => LegendItem[],
): string | undefined {
  const top = ranked(rows, valueName, 'country').slice(0, TOP_COUNTRIES);
  if (top.length === 0) return undefined;
  const bars = barsOf(top, valueName, { label: 'country', ...of });
  return horizontalBarChart({
    result,
    title: title(top.length),
    rows: rows.length,
    valueName,
    bars,
    legend: legend?.(top),
  });
}

/** One vertical bar per age group, youngest first. */
function ageGroupChart(
  result: string,
  title: string,
  rows: Row[],
  valueName: string,
  of: Omit<BarOf, 'label'>,
): string | undefined {
  const items = indexed(rows)
    .filter((r) => toNumber(r.row[valueName]) !== undefined)
    .sort((a, b) => compareAgeGroups(a.row.age_group, b.row.age_group));
  if (items.length === 0) return undefined;
  const bars = barsOf(items, valueName, { label: 'age_group', ...of });
  return verticalBarChart({ result, title, rows: rows.length, valueName, bars });
}

/** One neutral line over post_year; `point` adds a label and colour to each point. */
function yearLine(
  result: string,
  title: string,
  rows: Row[],
  xName: string,
  yName: string,
  point: (row: Row) => { label?: string; color?: string } = () => ({}),
): string | undefined {
  const pts = byYear(rows, 'post_year', yName);
  if (pts.length === 0) return undefined;
  const points = pts.map(({ row, index }) => ({
    x: toNumber(row.post_year)!,
    y: toNumber(row[yName])!,
    row: index,
    ...point(row),
  }));
  return lineChart({
    result,
    title,
    rows: rows.length,
    xName,
    yName,
    showLegend: false,
    series: [{ name: '', color: NEUTRAL, points }],
  });
}

const neutral = () => NEUTRAL;
const byCategory = (row: Row) => categoryColor(row.category);

const CHARTS: Record<ResultName, ChartFn> = {
  popular_category_by_country: (rows) =>
    countryChart(
      'popular_category_by_country',
      (n) => `Posts in the most popular category, top ${n} countries`,
      rows,
      'category_count',
      { detail: 'category', color: byCategory },
      categoryLegend,
    ),

  popular_category_by_year: (rows) =>
    yearLine(
      'popular_category_by_year',
      'Posts in the most popular category, by year',
      rows,
      'post_year',
      'category_count',
      (row) => ({ label: str(row.category), color: categoryColor(row.category) }),
    ),

  top_user_by_country: (rows) =>
    countryChart(
      'top_user_by_country',
      (n) => `Followers of the top user, top ${n} countries`,
      rows,
      'follower_count',
      { detail: 'poster_name', color: neutral },
    ),

  top_country_by_followers(rows, all) {
    const winners = ranked(rows, 'follower_count', 'country');
    if (winners.length === 0) return undefined;
    const names = new Set(winners.map((w) => str(w.row.country)));
    // the runners-up come from 6a, greyed, so the single winning bar has something to compare with
    const others = ranked(all.top_user_by_country ?? [], 'follower_count', 'country')
      .filter((r) => !names.has(str(r.row.country)))
      .slice(0, CONTEXT_COUNTRIES);
    const bars: Bar[] = [
      ...winners.map(({ row, index }) => ({
        label: str(row.country),
        value: toNumber(row.follower_count)!,
        color: '#e15759',
        row: index,
      })),
      ...others.map(({ row }) => ({
        label: str(row.country),
        value: toNumber(row.follower_count)!,
        color: CONTEXT,
      })),
    ].sort((a, b) => b.value - a.value);
    const best = toNumber(winners[0]!.row.follower_count)!;
    const tied = ranked(all.top_user_by_country ?? [], 'follower_count', 'country').filter(
      (r) => !names.has(str(r.row.country)) && toNumber(r.row.follower_count) === best,
    ).length;
    const caption = tied
      ? `<figcaption class="note">${tied} other countr${tied === 1 ? 'y ties' : 'ies tie'} at ${escapeHtml(formatGrouped(best))}: ` +
        'ties go to the first country name in alphabetical order (docs/spec.md#ties).</figcaption>'
      : '';
    const chart = horizontalBarChart({
      result: 'top_country_by_followers',
      title: 'The country whose top user has the most followers, with the runners-up',
      rows: rows.length,
      valueName: 'follower_count',
      bars,
      legend: others.length
        ? [
            { label: 'top_country_by_followers', color: '#e15759' },
            { label: 'runners-up (from top_user_by_country)', color: CONTEXT },
          ]
        : undefined,
    });
    return chart + caption;
  },

  popular_category_by_age_group: (rows) =>
    ageGroupChart(
      'popular_category_by_age_group',
      'Posts in the most popular category, by age group',
      rows,
      'category_count',
      { detail: 'category', color: byCategory },
    ),

  median_followers_by_age_group: (rows) =>
    ageGroupChart(
      'median_followers_by_age_group',
      'Median follower count by age group',
      rows,
      'median_follower_count',
      { color: (row) => ageGroupColor(row.age_group) },
    ),

  users_joined_by_year(rows) {
    const items = byYear(rows, 'post_year', 'number_users_joined');
    if (items.length === 0) return undefined;
    return verticalBarChart({
      result: 'users_joined_by_year',
      title: 'Users who joined, by year',
      rows: rows.length,
      valueName: 'number_users_joined',
      bars: barsOf(items, 'number_users_joined', { label: 'post_year', color: neutral }),
    });
  },

  median_followers_by_join_year: (rows) =>
    yearLine(
      'median_followers_by_join_year',
      'Median follower count by joining year',
      rows,
      'post_year (joined)',
      'median_follower_count',
    ),

  median_followers_by_join_year_and_age_group(rows) {
    const pts = byYear(rows, 'post_year', 'median_follower_count');
    if (pts.length === 0) return undefined;
    const groups = [...new Set(pts.map((p) => str(p.row.age_group)))].sort(compareAgeGroups);
    const series: LineSeries[] = groups.map((g) => ({
      name: g,
      color: ageGroupColor(g),
      points: pts
        .filter((p) => str(p.row.age_group) === g)
        .map(({ row, index }) => ({
          x: toNumber(row.post_year)!,
          y: toNumber(row.median_follower_count)!,
          row: index,
        })),
    }));
    return lineChart({
      result: 'median_followers_by_join_year_and_age_group',
      title: 'Median follower count by joining year, one line per age group',
      rows: rows.length,
      xName: 'post_year (joined)',
      yName: 'median_follower_count',
      showLegend: true,
      series,
    });
  },
};

/**
 * The chart of one result, or a "no rows" note when there is nothing to plot; undefined for a
 * result without a chart (unknown results are shown as tables only).
 */
export function renderChart(result: string, all: Results): string | undefined {
  const fn = (CHARTS as Record<string, ChartFn | undefined>)[result];
  if (!fn) return undefined;
  const rows = all[result] ?? [];
  if (rows.length === 0)
    return emptyNote(result, 'No rows: this result is empty, so there is nothing to chart.');
  return fn(rows, all) ?? emptyNote(result, 'No plottable rows: every value in this result is NULL.');
}
