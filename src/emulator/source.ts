import type { RowDataPacket } from 'mysql2/promise';
import { type MysqlPool, mysqlUnreachable } from '../clients/mysql.ts';
import type { Profile } from '../config/index.ts';
import { PinpipeError, describeError } from '../errors.ts';
import { SOURCE_TABLES, toRecordValue } from './records.ts';
import { TOPIC_KEYS, type RecordValue, type TopicKey } from './types.ts';

export type FetchedRows = Record<TopicKey, Map<number, RecordValue>>;

/** MySQL errors that mean "the tables are not what we expect" rather than "the server is gone". */
const SCHEMA_ERRORS = new Set(['ER_NO_SUCH_TABLE', 'ER_BAD_FIELD_ERROR', 'ER_BAD_DB_ERROR']);

function sourceError(profile: Profile, err: unknown): PinpipeError {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && SCHEMA_ERRORS.has(code)) {
    return new PinpipeError(
      'SOURCE_SCHEMA_MISMATCH',
      `The source database ${profile.mysql.database} lacks the expected tables or columns (${describeError(err)}). ` +
        'Load them with `pinpipe seed`.',
      { cause: err },
    );
  }
  return mysqlUnreachable(profile, err);
}

/**
 * N, the upper bound of the inds drawn: the highest `index` in pinterest_data (or the row count when
 * the column is empty). Fails at once with SOURCE_UNREACHABLE when MySQL cannot be reached.
 */
export async function sourceSize(pool: MysqlPool, profile: Profile): Promise<number> {
  const { table, key } = SOURCE_TABLES.pin;
  let rows: RowDataPacket[];
  try {
    [rows] = await pool.query<RowDataPacket[]>(`SELECT MAX(??) AS maxInd, COUNT(*) AS n FROM ??`, [
      key,
      table,
    ]);
  } catch (err) {
    throw sourceError(profile, err);
  }
  const n = Number(rows[0]?.maxInd ?? rows[0]?.n ?? 0);
  if (!Number.isFinite(n) || n < 1) {
    throw new PinpipeError(
      'SOURCE_SCHEMA_MISMATCH',
      `The source table ${profile.mysql.database}.${table} is empty. Load it with \`pinpipe seed\`.`,
    );
  }
  return n;
}

/** The rows of the three tables for these inds, by ind (parameterised: identifiers with ??, values with ?). */
export async function fetchRows(
  pool: MysqlPool,
  profile: Profile,
  inds: readonly number[],
): Promise<FetchedRows> {
  const distinct = [...new Set(inds)];
  try {
    const results = await Promise.all(
      TOPIC_KEYS.map(async (topic) => {
        const { table, key } = SOURCE_TABLES[topic];
        const [rows] = await pool.query<RowDataPacket[]>('SELECT * FROM ?? WHERE ?? IN (?)', [
          table,
          key,
          distinct,
        ]);
        const byInd = new Map<number, RecordValue>();
        for (const row of rows) byInd.set(Number(row[key]), toRecordValue(row));
        return [topic, byInd] as const;
      }),
    );
    return Object.fromEntries(results) as FetchedRows;
  } catch (err) {
    throw sourceError(profile, err);
  }
}
