import path from 'node:path';
import type { Profile } from '../config/index.ts';

/**
 * The nine results of docs/spec.md#results, in the spec's order (6b reads 6a's table). The batch
 * computes each from sql/<name>.sql; the report's catalog and charts are keyed by the same names.
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

/**
 * The folder the batch writes `<result_name>.json` and summary.json into, and the report, verify and
 * console read from: `out` (`pinpipe batch --out`) when given, else `<batch.workDir>/results`.
 */
export function resultsDir(profile: Pick<Profile, 'batch'>, out?: string): string {
  return out ?? path.join(profile.batch.workDir, 'results');
}
