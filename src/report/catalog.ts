/**
 * The nine analytics results of docs/spec.md#results (tasks 4–11): name, question and columns, in the spec's order.
 * The console tables, the HTML report and its charts are all driven by this list.
 */
import { RESULT_NAMES, type ResultName } from '../batch/results.ts';

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

/** Task, title, columns (space-separated) and note of one result. */
type Entry = [task: string, title: string, columns: string, note?: string];

const JOINED = 'post_year is the year of date_joined.';
const USER = 'A "user" is a row of the user table (one per post, as in the original)';

const ENTRIES: Record<ResultName, Entry> = {
  popular_category_by_country: [
    '4',
    'Most popular category in each country',
    'country category category_count',
  ],
  popular_category_by_year: [
    '5',
    'Most popular category each year, 2018–2022',
    'post_year category category_count',
  ],
  top_user_by_country: [
    '6a',
    'User with the most followers in each country',
    'country poster_name follower_count',
  ],
  top_country_by_followers: [
    '6b',
    'The country whose top user has the most followers',
    'country follower_count',
  ],
  popular_category_by_age_group: [
    '7',
    'Most popular category per age group',
    'age_group category category_count',
  ],
  median_followers_by_age_group: [
    '8',
    'Median follower count per age group',
    'age_group median_follower_count',
  ],
  users_joined_by_year: [
    '9',
    'Users who joined each year, 2015–2020',
    'post_year number_users_joined',
    `${USER}; ${JOINED}`,
  ],
  median_followers_by_join_year: [
    '10',
    'Median follower count by joining year, 2015–2020',
    'post_year median_follower_count',
    JOINED,
  ],
  median_followers_by_join_year_and_age_group: [
    '11',
    'Median follower count by joining year and age group, 2015–2020',
    'age_group post_year median_follower_count',
    JOINED,
  ],
};

export const RESULT_CATALOG: readonly ResultInfo[] = RESULT_NAMES.map((name) => {
  const [task, title, cols, note] = ENTRIES[name];
  const info = { name, task, title, columns: cols.split(' ') };
  return note === undefined ? info : { ...info, note };
});

export { RESULT_NAMES, type ResultName };

export function resultInfo(name: string): ResultInfo | undefined {
  return RESULT_CATALOG.find((r) => r.name === name);
}

/** Known results first, in the spec's order, then any other result names in alphabetical order. */
export function orderedResultNames(results: Results): string[] {
  const known: string[] = RESULT_NAMES.filter((n) => n in results);
  const extra = Object.keys(results)
    .filter((n) => !known.includes(n))
    .sort();
  return [...known, ...extra];
}
