import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { quoteId, quoteString } from '../clients/mysql.ts';

/**
 * The source tables as declared in src/seed/schema.sql (the one place that holds their DDL). This module
 * parses that file so the loader, the shape check and the checksum all agree with it.
 */
export const SCHEMA_SQL_PATH = fileURLToPath(new URL('./schema.sql', import.meta.url));

export const TABLE_NAMES = ['pinterest_data', 'geolocation_data', 'user_data'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export interface ColumnDef {
  name: string;
  /** Lower-case MySQL data type without length, as information_schema.COLUMNS.DATA_TYPE reports it. */
  dataType: string;
}

export interface TableDef {
  name: TableName;
  /** The key column: `index` for pinterest_data, `ind` for the two others. */
  key: string;
  columns: ColumnDef[];
  /** The CREATE TABLE statement from schema.sql. */
  ddl: string;
}

export function parseSchema(sql: string): Record<TableName, TableDef> {
  const noComments = sql
    .split('\n')
    .filter((l) => !l.trim().startsWith('--'))
    .join('\n');
  const out: Partial<Record<TableName, TableDef>> = {};
  for (const stmt of noComments.split(';').map((s) => s.trim())) {
    const head = /^CREATE TABLE `([a-z_]+)`\s*\(/i.exec(stmt);
    if (!head) continue;
    const name = head[1] as TableName;
    if (!TABLE_NAMES.includes(name)) throw new Error(`src/seed/schema.sql declares an unknown table ${name}`);
    const columns: ColumnDef[] = [];
    let key = '';
    for (const line of stmt.split('\n').slice(1)) {
      const col = /^\s*`([a-z_]+)`\s+([A-Z]+)/i.exec(line);
      if (col) columns.push({ name: col[1]!, dataType: col[2]!.toLowerCase() });
      const pk = /PRIMARY KEY \(`([a-z_]+)`\)/i.exec(line);
      if (pk) key = pk[1]!;
    }
    if (!key) throw new Error(`src/seed/schema.sql: table ${name} has no PRIMARY KEY`);
    out[name] = { name, key, columns, ddl: stmt };
  }
  for (const t of TABLE_NAMES) if (!out[t]) throw new Error(`src/seed/schema.sql does not declare ${t}`);
  return out as Record<TableName, TableDef>;
}

let cached: Record<TableName, TableDef> | undefined;

/** The three table definitions, read once from src/seed/schema.sql. */
export function schema(): Record<TableName, TableDef> {
  cached ??= parseSchema(fs.readFileSync(SCHEMA_SQL_PATH, 'utf8'));
  return cached;
}

/** schema.sql's CREATE TABLE for `table`, renamed to `as`, with a table comment. */
export function createTableSql(table: TableName, as: string, comment: string): string {
  const def = schema()[table];
  const renamed = def.ddl.replace(/^CREATE TABLE `[a-z_]+`/i, `CREATE TABLE ${quoteId(as)}`);
  return `${renamed} COMMENT=${quoteString(comment)}`;
}
