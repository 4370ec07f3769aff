/**
 * The nine analytics results of docs/spec.md#results (tasks 4–11): name, question and columns, in the spec's order.
 * The console tables, the HTML report and its charts are all driven by this list.
 */
export type Row = Record<string, unknown>;
export type Results = Record<string, Row[]>;

export interface ResultInfo {
  readonly name: string;
  /** The task number in the original (docs/spec.md#result-table). */
  readonly task: string;
  readonly title: string;
  readonly columns: readonly string[];
  /** Extra context shown under the title; says what a "user" is where it matters. */
  readonly note?: string;
}

export const RESULT_CATALOG: readonly ResultInfo[] = [
  {
    name: 'popular_category_by_country',
    task: '4',
    title: 'Most popular category in each country',
    columns: ['country', 'category', 'category_count'],
  },
  {
    name: 'popular_category_by_year',
    task: '5',
    title: 'Most popular category each year, 2018–2022',
    columns: ['post_year', 'category', 'category_count'],
  },
  {
    name: 'top_user_by_country',
    task: '6a',
    title: 'User with the most followers in each country',
    columns: ['country', 'poster_name', 'follower_count'],
  },
  {
    name: 'top_country_by_followers',
    task: '6b',
    title: 'The country whose top user has the most followers',
    columns: ['country', 'follower_count'],
  },
  {
    name: 'popular_category_by_age_group',
    task: '7',
    title: 'Most popular category per age group',
    columns: ['age_group', 'category', 'category_count'],
  },
  {
    name: 'median_followers_by_age_group',
    task: '8',
    title: 'Median follower count per age group',
    columns: ['age_group', 'median_follower_count'],
  },
  {
    name: 'users_joined_by_year',
    task: '9',
    title: 'Users who joined each year, 2015–2020',
    columns: ['post_year', 'number_users_joined'],
    note: 'A "user" is a row of the user table (one per post, as in the original); post_year is the year of date_joined.',
  },
  {
    name: 'median_followers_by_join_year',
    task: '10',
    title: 'Median follower count by joining year, 2015–2020',
    columns: ['post_year', 'median_follower_count'],
    note: 'post_year is the year of date_joined.',
  },
  {
    name: 'median_followers_by_join_year_and_age_group',
    task: '11',
    title: 'Median follower count by joining year and age group, 2015–2020',
    columns: ['age_group', 'post_year', 'median_follower_count'],
    note: 'post_year is the year of date_joined.',
  },
];

export const RESULT_NAMES: readonly string[] = RESULT_CATALOG.map((r) => r.name);

export function resultInfo(name: string): ResultInfo | undefined {
  return RESULT_CATALOG.find((r) => r.name === name);
}

/** Known results first, in the spec's order, then any other result names in alphabetical order. */
export function orderedResultNames(results: Results): string[] {
  const known = RESULT_NAMES.filter((n) => n in results);
  const extra = Object.keys(results)
    .filter((n) => !RESULT_NAMES.includes(n))
    .sort();
  return [...known, ...extra];
}
