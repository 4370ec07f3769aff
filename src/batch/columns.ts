import type { PerTopic, TopicKind } from './types.ts';

/**
 * How a source column is checked and typed at load (column_problem() in sql/macros.sql):
 * key (an integer, never null), int, float, text, datetime, count (follower_count, kept as text
 * and parsed by the cleaning).
 */
export type ColumnKind = 'key' | 'int' | 'float' | 'text' | 'datetime' | 'count';

export interface SourceColumn {
  name: string;
  kind: ColumnKind;
}

/**
 * The columns of each topic's records, in the order of the typed load table. This list is the one
 * owner of the source columns: the load SQL (its checks, quarantine reasons and typed columns) is
 * built from it. Extra keys in a record are ignored.
 */
export const SOURCE_COLUMNS: PerTopic<readonly SourceColumn[]> = {
  pin: [
    { name: 'index', kind: 'key' },
    { name: 'unique_id', kind: 'text' },
    { name: 'title', kind: 'text' },
    { name: 'description', kind: 'text' },
    { name: 'poster_name', kind: 'text' },
    { name: 'follower_count', kind: 'count' },
    { name: 'tag_list', kind: 'text' },
    { name: 'is_image_or_video', kind: 'text' },
    { name: 'image_src', kind: 'text' },
    { name: 'downloaded', kind: 'int' },
    { name: 'save_location', kind: 'text' },
    { name: 'category', kind: 'text' },
  ],
  geo: [
    { name: 'ind', kind: 'key' },
    { name: 'timestamp', kind: 'datetime' },
    { name: 'latitude', kind: 'float' },
    { name: 'longitude', kind: 'float' },
    { name: 'country', kind: 'text' },
  ],
  user: [
    { name: 'ind', kind: 'key' },
    { name: 'first_name', kind: 'text' },
    { name: 'last_name', kind: 'text' },
    { name: 'age', kind: 'int' },
    { name: 'date_joined', kind: 'datetime' },
  ],
};

/** The column of a topic that identifies the post (spec: `index` in pin, `ind` elsewhere). */
export function keyColumn(kind: TopicKind): string {
  return SOURCE_COLUMNS[kind].find((c) => c.kind === 'key')!.name;
}

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad column name ${name}`);
  return `"${name}"`;
};
const lit = (s: string) => `'${s}'`;

/**
 * A test that only passes when column_problem() is NULL, and is cheap: the common, clean values.
 * A value that fails it gets the full check (and its reason), so the rule stays column_problem().
 */
function cleanValue(c: SourceColumn, t: string, v: string, d: string): string {
  switch (c.kind) {
    case 'key':
    case 'int':
      return `(${t} IN ('UBIGINT', 'BIGINT') AND length(${v}) <= 18)`;
    case 'float':
      return `${t} IN ('UBIGINT', 'BIGINT', 'DOUBLE')`;
    case 'text':
      return `${t} IN ('VARCHAR', 'NULL')`;
    case 'datetime':
      return `(${t} = 'VARCHAR' AND ${d} IS NOT NULL)`;
    case 'count':
      return (
        `((${t} = 'UBIGINT' AND length(${v}) <= 18) OR (${t} = 'VARCHAR' AND (${v} = '' ` +
        `OR regexp_full_match(${v}, '[0-9]{1,9}(\\.[0-9]{1,6})?[kKmM]?') OR is_placeholder(${lit(c.name)}, ${v}))))`
      );
  }
}

/** The typed value of a column that passed its check. */
function typedValue(c: SourceColumn, v: string, d: string): string {
  switch (c.kind) {
    case 'key':
    case 'int':
      return `CAST(trim(${v}) AS BIGINT)`;
    case 'float':
      return `CAST(trim(${v}) AS DOUBLE)`;
    case 'datetime':
      return d;
    case 'text':
    case 'count':
      return v;
  }
}

/**
 * The load of one topic (docs/spec.md#s3-layout): the lines in `chunk_lines` (object_lines() of macros.sql) →
 * one row per line with its key, partition, offset (start offset + 0-based line number) and line
 * number, and either the typed columns or the reason why the line is quarantined. `load_files` maps
 * each file to its key, partition and start offset.
 */
export function loadSelect(kind: TopicKind): string {
  const cols = SOURCE_COLUMNS[kind];
  const paths = `[${cols.map((c) => lit(`$.${c.name}`)).join(', ')}]`;
  const t = (i: number) => `_t${i + 1}`;
  const v = (i: number) => `_v${i + 1}`;
  const d = (i: number) => `_d${i + 1}`;
  // the lists unpacked once into columns, and each datetime parsed once
  const unpacked = cols.map((_, i) => `t[${i + 1}] AS ${t(i)}, v[${i + 1}] AS ${v(i)}`).join(', ');
  const datetimes = cols
    .map((c, i) => (c.kind === 'datetime' ? `, parse_datetime(${v(i)}) AS ${d(i)}` : ''))
    .join('');
  const clean = cols.map((c, i) => cleanValue(c, t(i), v(i), d(i))).join('\n      AND ');
  const problems = cols
    .map((c, i) => `column_problem(${lit(c.name)}, ${lit(c.kind)}, ${t(i)}, ${v(i)})`)
    .join(',\n      ');
  const typed = cols
    .map((c, i) => `CASE WHEN _reason IS NULL THEN ${typedValue(c, v(i), d(i))} END AS ${ident(c.name)}`)
    .join(',\n  ');
  return `WITH lines AS (
  SELECT o.key AS _key, o.partition AS _partition, o.start_offset + l.line_no AS _offset,
         l.line_no AS _line_no, l.line
  FROM chunk_lines l JOIN load_files o ON o.file = l.file
), parsed AS (
  SELECT *, line_problem(line) AS _problem FROM lines
), typed AS (
  SELECT *,
    CASE WHEN _problem IS NULL THEN json_type(line, ${paths}) END AS t,
    CASE WHEN _problem IS NULL THEN json_extract_string(line, ${paths}) END AS v
  FROM parsed
), unpacked AS (
  SELECT * EXCLUDE (v), ${unpacked} FROM typed
), dated AS (
  SELECT *${datetimes} FROM unpacked
), checked AS (
  SELECT *,
    CASE WHEN _problem IS NULL
      AND ${clean}
    THEN NULL ELSE coalesce(_problem, object_problem(line, t),
      ${problems}) END AS _reason
  FROM dated
)
SELECT _key, _partition, _offset, _line_no, _reason,
  CASE WHEN _reason IS NOT NULL THEN left(line, 1000) END AS _line,
  ${typed}
FROM checked`;
}
