-- The typed load of the user topic (docs/spec.md#s3-layout): one row per line of lines.sql with
-- either the typed columns (those of the topic in manifest.json, in its order) or the reason why
-- the line is quarantined. Per column: a cheap test that passes only when column_problem() is NULL
-- (the common, clean values), the full check for the others, then the typed value.
WITH parsed AS (
  {{ref load_lines}}
), typed AS (
  SELECT *,
    CASE WHEN _problem IS NULL THEN json_type(line, ['$.ind', '$.first_name', '$.last_name', '$.age', '$.date_joined']) END AS t,
    CASE WHEN _problem IS NULL THEN json_extract_string(line, ['$.ind', '$.first_name', '$.last_name', '$.age', '$.date_joined']) END AS v
  FROM parsed
), unpacked AS (
  SELECT * EXCLUDE (v), t[1] AS _t1, v[1] AS _v1, t[2] AS _t2, v[2] AS _v2, t[3] AS _t3, v[3] AS _v3, t[4] AS _t4, v[4] AS _v4, t[5] AS _t5, v[5] AS _v5 FROM typed
), dated AS (
  SELECT *, parse_datetime(_v5) AS _d5 FROM unpacked
), checked AS (
  SELECT *,
    CASE WHEN _problem IS NULL
      AND (_t1 IN ('UBIGINT', 'BIGINT') AND length(_v1) <= 18)
      AND _t2 IN ('VARCHAR', 'NULL')
      AND _t3 IN ('VARCHAR', 'NULL')
      AND (_t4 IN ('UBIGINT', 'BIGINT') AND length(_v4) <= 18)
      AND (_t5 = 'VARCHAR' AND _d5 IS NOT NULL)
    THEN NULL ELSE coalesce(_problem, object_problem(line, t),
      column_problem('ind', 'key', _t1, _v1),
      column_problem('first_name', 'text', _t2, _v2),
      column_problem('last_name', 'text', _t3, _v3),
      column_problem('age', 'int', _t4, _v4),
      column_problem('date_joined', 'datetime', _t5, _v5)) END AS _reason
  FROM dated
)
SELECT _key, _partition, _offset, _line_no, _reason,
  CASE WHEN _reason IS NOT NULL THEN left(line, 1000) END AS _line,
  CASE WHEN _reason IS NULL THEN CAST(trim(_v1) AS BIGINT) END AS "ind",
  CASE WHEN _reason IS NULL THEN _v2 END AS "first_name",
  CASE WHEN _reason IS NULL THEN _v3 END AS "last_name",
  CASE WHEN _reason IS NULL THEN CAST(trim(_v4) AS BIGINT) END AS "age",
  CASE WHEN _reason IS NULL THEN _d5 END AS "date_joined"
FROM checked
