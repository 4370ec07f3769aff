import { sqlFile, type Database } from './duckdb.ts';
import type { PerTopic } from './types.ts';

export type Row = Record<string, unknown>;

/** The clean tables of tasks 1–3 (docs/spec.md#cleaning), one SQL file each: sql/clean_<kind>.sql (merge.ts). */
export const CLEAN_TABLES: PerTopic<string> = { pin: 'pin_clean', geo: 'geo_clean', user: 'user_clean' };

/**
 * The nine results of docs/spec.md#results, in the spec's order (6b reads 6a's table). Each is the SELECT in
 * sql/<name>.sql, stored as a table of that name.
 */
export const RESULT_NAMES = [
  'popular_category_by_country',
  'popular_category_by_year',
  'top_user_by_country',
  'top_country_by_followers',
  'popular_category_by_age_group',
  'median_followers_by_age_group',
  'users_joined_by_year',
  'median_followers_by_join_year',
  'median_followers_by_join_year_and_age_group',
] as const;
export type ResultName = (typeof RESULT_NAMES)[number];

/** The SELECT of a result file, without the trailing semicolon, ready to wrap. */
export function resultQuery(name: ResultName): string {
  return sqlFile(name).trim().replace(/;\s*$/, '');
}

/** Tasks 4–11: one table per result; returns the rows of each, in the file's order. */
export async function runAnalytics(db: Database): Promise<Record<ResultName, Row[]>> {
  const results = {} as Record<ResultName, Row[]>;
  for (const name of RESULT_NAMES) {
    await db.run(`CREATE OR REPLACE TABLE ${name} AS (\n${resultQuery(name)}\n)`, name);
    results[name] = await db.rows(`SELECT * FROM ${name}`, name);
  }
  return results;
}

/** The stored result tables, as runAnalytics returned them (a run that changed nothing). */
export async function readResults(db: Database): Promise<Record<ResultName, Row[]>> {
  const results = {} as Record<ResultName, Row[]>;
  for (const name of RESULT_NAMES) results[name] = await db.rows(`SELECT * FROM ${name}`, name);
  return results;
}
