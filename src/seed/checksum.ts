import { createHash } from 'node:crypto';
import type { Connection as CoreConnection } from 'mysql2';
import type { Connection } from 'mysql2/promise';
import { PinpipeError, describeError } from '../errors.ts';
import { quoteId } from '../clients/mysql.ts';
import { TABLE_NAMES, schema, type TableName } from './schema.ts';

/**
 * Content checksum of the three source tables: SHA-256 over every row in key order, each row
 * rendered by the server as text (FLOAT columns as DECIMAL(12,4), the precision the generator
 * writes, so the figure does not depend on float formatting; NULL as \N). Two databases with the
 * same checksum hold the same data. Streams the rows: memory stays flat on large tables.
 */
export interface TableChecksum {
  table: TableName;
  rows: number;
  sha256: string;
}

export interface Checksum {
  /** SHA-256 over the three per-table lines "<table> <rows> <sha256>". */
  checksum: string;
  tables: TableChecksum[];
}

export function rowTextSql(table: TableName): string {
  const def = schema()[table];
  const cols = def.columns.map((c) => {
    const id = quoteId(c.name);
    const text = c.dataType === 'float' || c.dataType === 'double' ? `CAST(${id} AS DECIMAL(12,4))` : id;
    return `COALESCE(CAST(${text} AS CHAR), '\\\\N')`;
  });
  return `SELECT CONCAT_WS(CHAR(31), ${cols.join(', ')}) AS r FROM ${quoteId(table)} ORDER BY ${quoteId(def.key)}`;
}

export function combineChecksums(tables: TableChecksum[]): string {
  const h = createHash('sha256');
  for (const t of tables) h.update(`${t.table} ${t.rows} ${t.sha256}\n`);
  return h.digest('hex');
}

export async function checksumTables(conn: Connection): Promise<Checksum> {
  const [present] = await conn.query(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?)',
    [TABLE_NAMES],
  );
  const names = new Set((present as Array<{ name: string }>).map((r) => r.name));
  const missing = TABLE_NAMES.filter((t) => !names.has(t));
  if (missing.length > 0) {
    throw new PinpipeError(
      'SEED_FAILED',
      `Table(s) ${missing.join(', ')} missing: load them first with \`pinpipe seed\`.`,
    );
  }
  const tables: TableChecksum[] = [];
  try {
    for (const table of TABLE_NAMES) tables.push(await checksumTable(conn, table));
  } catch (err) {
    throw new PinpipeError(
      'SEED_FAILED',
      `Reading the tables for the checksum failed (${describeError(err)}). If a table has another shape, reload it with \`pinpipe seed --force\`.`,
      { cause: err },
    );
  }
  return { checksum: combineChecksums(tables), tables };
}

async function checksumTable(conn: Connection, table: TableName): Promise<TableChecksum> {
  const h = createHash('sha256');
  let rows = 0;
  // The callback connection under the promise wrapper streams rows instead of buffering them.
  const core = (conn as unknown as { connection: CoreConnection }).connection;
  const stream = core.query({ sql: rowTextSql(table), rowsAsArray: true }).stream();
  for await (const row of stream as AsyncIterable<[string]>) {
    h.update(row[0]);
    h.update('\n');
    rows++;
  }
  return { table, rows, sha256: h.digest('hex') };
}
