import type { Connection } from 'mysql2/promise';
import { quoteId } from '../clients/mysql.ts';
import { TABLE_NAMES, schema, type TableName } from './schema.ts';

/**
 * What the database holds now: for each source table, whether it exists, whether its shape matches
 * src/seed/schema.sql, whether it has rows, and which seed run wrote it (the table comment).
 */
/** Bump when the generator's output changes (a database seeded by another version is reloaded). */
export const GENERATOR_VERSION = 2;

export interface Provenance {
  version: number;
  seed: number;
  rows: number;
}

export function provenanceComment(p: Provenance): string {
  return `pinpipe seed v${p.version}: seed=${p.seed} rows=${p.rows}`;
}

export function parseProvenance(comment: string | null | undefined): Provenance | undefined {
  const m = /^pinpipe seed v(\d+): seed=(\d+) rows=(\d+)$/.exec(comment ?? '');
  return m ? { version: Number(m[1]), seed: Number(m[2]), rows: Number(m[3]) } : undefined;
}

export interface TableState {
  table: TableName;
  exists: boolean;
  /** Why the shape differs from schema.sql, or undefined when it matches (or the table is missing). */
  mismatch: string | undefined;
  hasRows: boolean;
  provenance: Provenance | undefined;
}

/** Compares actual columns (name, data type, in order) and key with the declared ones. */
export function shapeMismatch(
  table: TableName,
  actual: Array<{ name: string; dataType: string; key: string }>,
): string | undefined {
  const want = schema()[table];
  const got = actual.map((c) => `${c.name} ${c.dataType}`).join(', ');
  const expected = want.columns.map((c) => `${c.name} ${c.dataType}`).join(', ');
  if (got !== expected) return `columns are (${got}); expected (${expected})`;
  const pk = actual.filter((c) => c.key === 'PRI').map((c) => c.name);
  if (pk.length !== 1 || pk[0] !== want.key)
    return `primary key is (${pk.join(', ')}); expected (${want.key})`;
  return undefined;
}

export async function inspectTables(conn: Connection): Promise<TableState[]> {
  const [tables] = await conn.query(
    'SELECT TABLE_NAME AS name, TABLE_COMMENT AS comment FROM information_schema.TABLES ' +
      'WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?)',
    [TABLE_NAMES],
  );
  const [cols] = await conn.query(
    'SELECT TABLE_NAME AS tableName, COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_KEY AS `key` ' +
      'FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?) ORDER BY TABLE_NAME, ORDINAL_POSITION',
    [TABLE_NAMES],
  );
  const byName = new Map(
    (tables as Array<{ name: string; comment: string }>).map((t) => [t.name, t.comment]),
  );
  const states: TableState[] = [];
  for (const table of TABLE_NAMES) {
    if (!byName.has(table)) {
      states.push({ table, exists: false, mismatch: undefined, hasRows: false, provenance: undefined });
      continue;
    }
    const actual = (cols as Array<{ tableName: string; name: string; dataType: string; key: string }>)
      .filter((c) => c.tableName === table)
      .map((c) => ({ name: c.name, dataType: c.dataType.toLowerCase(), key: c.key }));
    const [probe] = await conn.query(`SELECT 1 AS one FROM ${quoteId(table)} LIMIT 1`);
    states.push({
      table,
      exists: true,
      mismatch: shapeMismatch(table, actual),
      hasRows: (probe as unknown[]).length > 0,
      provenance: parseProvenance(byName.get(table)),
    });
  }
  return states;
}
