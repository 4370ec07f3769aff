import type { RecordValue, SourceRow, TopicKey } from './types.ts';

/**
 * Where each topic's rows come from, and the column that carries the post's index (docs/spec.md#source-tables).
 * pinterest_data calls it `index`, the two others `ind`.
 */
export const SOURCE_TABLES: Record<TopicKey, { table: string; key: string }> = {
  pin: { table: 'pinterest_data', key: 'index' },
  geo: { table: 'geolocation_data', key: 'ind' },
  user: { table: 'user_data', key: 'ind' },
};

/** The Confluent v2 JSON embedded format (docs/spec.md#produce-request). */
export const CONTENT_TYPE = 'application/vnd.kafka.json.v2+json';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** "2020-08-28 03:52:47", as the original's `json.dumps(default=str)` writes a MySQL DATETIME. */
export function mysqlDateTime(d: Date): string {
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

function jsonScalar(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return mysqlDateTime(v);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return String(v);
}

/** True for a value `jsonScalar` returns unchanged. */
function isJsonScalar(v: unknown): boolean {
  return (
    v === null ||
    typeof v === 'string' ||
    typeof v === 'boolean' ||
    (typeof v === 'number' && Number.isFinite(v))
  );
}

/**
 * A source row → the record value: the row as a JSON object with the same column names and order.
 * The mysql2 clients use dateStrings, so datetimes already arrive as MySQL strings; a Date (another
 * driver setting) is formatted the same way, in UTC. A row of JSON scalars alone (the usual case) is
 * its own record value, not copied.
 */
export function toRecordValue(row: SourceRow): RecordValue {
  let scalars = true;
  for (const k in row) {
    if (Object.hasOwn(row, k) && !isJsonScalar(row[k])) {
      scalars = false;
      break;
    }
  }
  if (scalars) return row as RecordValue;
  const out: RecordValue = {};
  for (const [k, v] of Object.entries(row)) out[k] = jsonScalar(v);
  return out;
}

/** The request body for one produce request. */
export function produceBody(values: readonly RecordValue[]): string {
  return JSON.stringify({ records: values.map((value) => ({ value })) });
}

/** The post index carried by a record of this topic. */
export function indOf(topic: TopicKey, value: RecordValue): number {
  return Number(value[SOURCE_TABLES[topic].key]);
}

/** `<base>/topics/<topic>`, whatever the base's trailing slash. */
export function topicUrl(base: string, topic: string): string {
  return `${base.replace(/\/+$/, '')}/topics/${encodeURIComponent(topic)}`;
}
