import type { Database } from './duckdb.ts';
import { checkContracts, layerModels, renderModel } from './models.ts';
import type { PerTopic } from './types.ts';
import { RESULT_NAMES, type ResultName } from './results.ts';

export type Row = Record<string, unknown>;

/** The clean tables of tasks 1–3 (docs/spec.md#cleaning): models/clean/clean_<kind>.sql (merge.ts). */
export const CLEAN_TABLES: PerTopic<string> = { pin: 'pin_clean', geo: 'geo_clean', user: 'user_clean' };

export { RESULT_NAMES, type ResultName };

/** The SELECT of a result model (models/results/<name>.sql), without the trailing semicolon, ready to wrap. */
export function resultQuery(name: ResultName): string {
  return renderModel(name).trim().replace(/;\s*$/, '');
}

/**
 * Tasks 4–11: the models of the results layer, in the manifest's order, one table each, checked
 * by its contracts; returns the rows of each, in the file's order.
 */
export async function runAnalytics(db: Database): Promise<Record<ResultName, Row[]>> {
  const results = {} as Record<ResultName, Row[]>;
  for (const mod of layerModels('results')) {
    await db.run(
      `CREATE OR REPLACE TABLE ${mod.name} AS (\n${resultQuery(mod.name as ResultName)}\n)`,
      mod.name,
    );
    await checkContracts(db, mod);
  }
  for (const name of RESULT_NAMES) results[name] = await db.rows(`SELECT * FROM ${name}`, name);
  return results;
}

/** The stored result tables, as runAnalytics returned them (a run that changed nothing). */
export async function readResults(db: Database): Promise<Record<ResultName, Row[]>> {
  const results = {} as Record<ResultName, Row[]>;
  for (const name of RESULT_NAMES) results[name] = await db.rows(`SELECT * FROM ${name}`, name);
  return results;
}
