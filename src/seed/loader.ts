import type { Connection } from 'mysql2/promise';
import { rowsOf, type Row } from './generator.ts';
import { quoteId } from '../clients/mysql.ts';
import { TABLE_NAMES, createTableSql, schema, type TableName } from './schema.ts';
import { tsvStream, type Sink } from './tsv.ts';
import { workerTsvStream } from './worker-tsv.ts';

/**
 * Loads the three tables without ever exposing a half-loaded one: rows go into staging tables
 * (`<table>__pinpipe_new`), then one `RENAME TABLE` swaps all three in at once (atomic in MySQL and
 * MariaDB) and the previous tables are dropped. On any failure the staging tables are dropped and
 * the live tables are untouched.
 */
export type LoadMethod = 'infile' | 'insert';

export interface LoadOptions {
  seed: number;
  rows: number;
  /** 'infile': LOAD DATA LOCAL INFILE streamed from the generator (fast); 'insert': batched INSERTs. */
  method: LoadMethod;
  /** The table comment that records what was loaded (src/seed/provenance.ts). */
  comment: string;
  signal?: AbortSignal;
  /** Generate each table in a worker thread (src/seed/worker-tsv.ts); 'infile' only. */
  workers?: boolean;
  /** Rows handed to the server so far, summed over the three tables. */
  onRows?: (n: number) => void;
}

export const STAGING_SUFFIX = '__pinpipe_new';
export const OLD_SUFFIX = '__pinpipe_old';
const INSERT_BATCH_ROWS = 2000;

/** Errors that mean the server or client refuses LOAD DATA LOCAL: fall back to INSERTs. */
export function isLocalInfileRefused(err: unknown): boolean {
  const code = (err as { code?: string; errno?: number }).code;
  const errno = (err as { errno?: number }).errno;
  return (
    code === 'ER_NOT_ALLOWED_COMMAND' ||
    code === 'ER_LOAD_INFILE_CAPABILITY_DISABLED' ||
    code === 'ER_CLIENT_LOCAL_FILES_DISABLED' ||
    errno === 1148 ||
    errno === 3948 ||
    errno === 2068
  );
}

/**
 * `connections` holds one connection per table (the three load concurrently: the server parses
 * while Node generates) or a single one (sequential). The first connection does the DDL and swap.
 */
export async function loadTables(connections: Connection[], opts: LoadOptions): Promise<void> {
  const ddl = connections[0]!;
  await dropStaging(ddl);
  try {
    for (const t of TABLE_NAMES) await ddl.query(createTableSql(t, t + STAGING_SUFFIX, opts.comment));
    for (const c of connections) {
      // Long timeouts: on a busy machine the generator may keep the server waiting for a while.
      // unique_checks stays on: MariaDB 10.11's bulk path for empty tables (unique_checks = 0) cost
      // about twice the server CPU on these key-ordered loads (docs/decisions.md).
      await c.query('SET SESSION net_read_timeout = 600, net_write_timeout = 600');
    }
    if (connections.length >= TABLE_NAMES.length) {
      // allSettled: on a failure, wait for the other loads to end before dropping their tables.
      const settled = await Promise.allSettled(TABLE_NAMES.map((t, i) => loadOne(connections[i]!, t, opts)));
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw failed.reason;
    } else {
      for (const t of TABLE_NAMES) await loadOne(ddl, t, opts);
    }
    opts.signal?.throwIfAborted();
    await swapIn(ddl);
  } catch (err) {
    await dropStaging(ddl).catch(() => undefined);
    throw err;
  }
}

async function loadOne(conn: Connection, table: TableName, opts: LoadOptions): Promise<void> {
  const staging = table + STAGING_SUFFIX;
  const rows = rowsOf(table, { seed: opts.seed, rows: opts.rows });
  const load = opts.method === 'infile' ? loadInfile : loadInserts;
  const loaded = await load({ conn, table, staging, rows, opts });
  if (loaded !== opts.rows) {
    throw new Error(`${table}: the server stored ${loaded} rows instead of ${opts.rows}`);
  }
}

function columnList(table: TableName): string {
  const { columns } = schema()[table];
  return columns.map((c) => quoteId(c.name)).join(', ');
}

/** One table's load into its staging table; a loader returns the row count the server reports. */
interface LoadJob {
  conn: Connection;
  table: TableName;
  staging: string;
  rows: Iterator<Row>;
  opts: LoadOptions;
}

async function loadInfile({ conn, table, staging, rows, opts }: LoadJob): Promise<number> {
  const sql =
    `LOAD DATA LOCAL INFILE 'pinpipe-seed-${table}.tsv' INTO TABLE ${quoteId(staging)} CHARACTER SET utf8mb4 ` +
    `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${columnList(table)})`;
  // mysql2's socket under the promise wrapper: generation waits while it holds too many bytes.
  const sink = (conn as unknown as { connection?: { stream?: Sink } }).connection?.stream;
  const streamOpts = { onRows: opts.onRows, signal: opts.signal, sink };
  const stream = opts.workers
    ? workerTsvStream(table, { seed: opts.seed, rows: opts.rows, ...streamOpts })
    : tsvStream(rows, streamOpts);
  const [res] = await conn.query({ sql, infileStreamFactory: () => stream });
  return (res as { affectedRows: number }).affectedRows;
}

async function loadInserts({ conn, table, staging, rows, opts }: LoadJob): Promise<number> {
  const sql = `INSERT INTO ${quoteId(staging)} (${columnList(table)}) VALUES ?`;
  let total = 0;
  await conn.beginTransaction();
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      const batch: Row[] = [];
      for (let r = rows.next(); !r.done; r = rows.next()) {
        batch.push(r.value);
        if (batch.length === INSERT_BATCH_ROWS) break;
      }
      if (batch.length === 0) break;
      const [res] = await conn.query(sql, [batch]);
      total += (res as { affectedRows: number }).affectedRows;
      opts.onRows?.(batch.length);
      if (batch.length < INSERT_BATCH_ROWS) break;
    }
    await conn.commit();
  } catch (err) {
    await conn.rollback().catch(() => undefined);
    throw err;
  }
  return total;
}

async function swapIn(conn: Connection): Promise<void> {
  const [existing] = await conn.query(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?)',
    [TABLE_NAMES],
  );
  const live = new Set((existing as Array<{ name: string }>).map((r) => r.name));
  const renames: string[] = [];
  for (const t of TABLE_NAMES) {
    if (live.has(t)) renames.push(`${quoteId(t)} TO ${quoteId(t + OLD_SUFFIX)}`);
    renames.push(`${quoteId(t + STAGING_SUFFIX)} TO ${quoteId(t)}`);
  }
  // One statement: readers see either the three old tables or the three new ones, never a mix.
  await conn.query(`RENAME TABLE ${renames.join(', ')}`);
  await conn.query(`DROP TABLE IF EXISTS ${TABLE_NAMES.map((t) => quoteId(t + OLD_SUFFIX)).join(', ')}`);
}

export async function dropStaging(conn: Connection): Promise<void> {
  const names = TABLE_NAMES.flatMap((t) => [t + STAGING_SUFFIX, t + OLD_SUFFIX]);
  await conn.query(`DROP TABLE IF EXISTS ${names.map(quoteId).join(', ')}`);
}
