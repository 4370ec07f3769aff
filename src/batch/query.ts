import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Profile } from '../config/index.ts';
import { PinpipeError, describeError } from '../errors.ts';
import { toJsonValue } from './duckdb.ts';

/** The batch's DuckDB file: `<batch.workDir>/pinpipe.duckdb`. */
export function batchDatabasePath(profile: Pick<Profile, 'batch'>): string {
  return path.join(profile.batch.workDir, 'pinpipe.duckdb');
}

export interface QueryResult {
  columns: string[];
  rows: Record<string, unknown>[];
}

/** Lists the tables and views with their row counts (what `pinpipe sql` shows without a query). */
export const TABLES_QUERY =
  'select table_name as "table", estimated_size as "rows" from duckdb_tables() ' +
  'where database_name = current_database() order by table_name';

/**
 * The connection `pinpipe sql` opens: the file read-only, no file, network or other-database access
 * (`enable_external_access`: COPY … TO, read_text/read_csv on paths, ATTACH, httpfs), and the
 * configuration locked once the time zone is set (`lock_configuration`: SET and PRAGMA that change
 * settings fail), so a query reads the batch's tables and nothing else.
 */
export const QUERY_DB_OPTIONS = {
  access_mode: 'READ_ONLY',
  enable_external_access: 'false',
} as const;

/** DuckDB's refusals of what QUERY_DB_OPTIONS forbids (file access, ATTACH, a locked setting). */
const REFUSED = /Permission Error|configuration has been locked|disabled through configuration/i;

/**
 * Runs one SQL statement on the batch's DuckDB file opened read-only (a running batch writes a new
 * file and renames it into place, so reading never blocks it and never changes it). Statements that
 * reach outside the tables are refused with BATCH_SQL_REFUSED.
 */
export async function queryBatchDatabase(file: string, sql: string): Promise<QueryResult> {
  if (!fs.existsSync(file)) {
    throw new PinpipeError(
      'BATCH_NOTHING_TO_DO',
      `No batch database yet: ${file} does not exist. Run \`pinpipe batch\` first (or pass --db <file>).`,
    );
  }
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(file, { ...QUERY_DB_OPTIONS });
  } catch (err) {
    throw new PinpipeError('BATCH_FAILED', `Cannot open the DuckDB file ${file}: ${describeError(err)}.`, {
      cause: err,
    });
  }
  const conn = await instance.connect();
  try {
    await conn.run("SET TimeZone = 'UTC'");
    await conn.run('SET lock_configuration = true');
    const reader = await conn.runAndReadAll(sql);
    return {
      columns: reader.columnNames(),
      rows: reader.getRowObjectsJS().map((r) => toJsonValue(r) as Record<string, unknown>),
    };
  } catch (err) {
    if (REFUSED.test(describeError(err)))
      throw new PinpipeError(
        'BATCH_SQL_REFUSED',
        `pinpipe sql reads the batch's tables only: files, other databases and settings are out of its reach (${describeError(err)}). Query the tables listed by \`pinpipe sql\`.`,
        { cause: err },
      );
    throw new PinpipeError(
      'BATCH_SQL_FAILED',
      `The query failed in DuckDB: ${describeError(err)} (the database is read-only; the tables are listed by \`pinpipe sql\` without a query).`,
      { cause: err },
    );
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
