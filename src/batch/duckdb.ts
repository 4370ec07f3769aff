import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { PinpipeError, describeError } from '../errors.ts';

/** A single-quoted SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export interface Database {
  conn: DuckDBConnection;
  /** Runs statements; failures become BATCH_SQL_FAILED naming the step. */
  run(sql: string, step: string): Promise<void>;
  /** Rows as plain JSON values: BIGINT → number, TIMESTAMP → ISO string. */
  rows(sql: string, step: string): Promise<Record<string, unknown>[]>;
  /** Another connection to the same database (its own temporary tables), for work in parallel. */
  fork(): Promise<Database>;
  close(): void;
}

/** JSON-friendly copy of a DuckDB JS value (bigint → number when safe, Date → ISO string). */
export function toJsonValue(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonValue(x)]));
  }
  return v;
}

export async function openDatabase(
  file: string,
  opts: { tempDir?: string; memoryLimit?: string; signal?: AbortSignal } = {},
): Promise<Database> {
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(file);
  } catch (err) {
    throw new PinpipeError(
      'BATCH_FAILED',
      `Cannot open the DuckDB file ${file}: ${describeError(err)}. Is another batch running on the same workDir?`,
      { cause: err },
    );
  }
  const main = await connection(instance, opts.signal, () => instance.closeSync());
  // past the memory limit DuckDB spills to the temp directory instead of failing
  if (opts.tempDir) await main.run(`SET temp_directory = ${sqlString(opts.tempDir)}`, 'settings');
  if (opts.memoryLimit) await main.run(`SET memory_limit = ${sqlString(opts.memoryLimit)}`, 'settings');
  return main;
}

async function connection(
  instance: DuckDBInstance,
  signal: AbortSignal | undefined,
  onClose: () => void,
): Promise<Database> {
  const conn = await instance.connect();
  const onAbort = () => conn.interrupt();
  signal?.addEventListener('abort', onAbort, { once: true });
  const fail = (err: unknown, step: string) => {
    if (signal?.aborted)
      return new PinpipeError('INTERRUPTED', `Interrupted during ${step}.`, { cause: err });
    return new PinpipeError(
      'BATCH_SQL_FAILED',
      `The batch step "${step}" failed in DuckDB: ${describeError(err)}`,
      {
        cause: err,
      },
    );
  };
  const db: Database = {
    conn,
    async run(sql, step) {
      try {
        await conn.run(sql);
      } catch (err) {
        throw fail(err, step);
      }
    },
    async rows(sql, step) {
      try {
        const reader = await conn.runAndReadAll(sql);
        return reader.getRowObjectsJS().map((r) => toJsonValue(r) as Record<string, unknown>);
      } catch (err) {
        throw fail(err, step);
      }
    },
    fork: () => connection(instance, signal, () => undefined),
    close() {
      signal?.removeEventListener('abort', onAbort);
      conn.closeSync();
      onClose();
    },
  };
  // Timestamps are naive UTC datetimes (docs/spec.md#choice-datetimes); ISO-8601 offsets are converted to UTC.
  await db.run("SET TimeZone = 'UTC'", 'settings');
  return db;
}
