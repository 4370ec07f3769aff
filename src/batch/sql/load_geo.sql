-- Load (before task 2): the lines of the geo topic's objects → typed rows with explicit column
-- types, or a reason to quarantine the line (see load_pin.sql for the offsets).
WITH lines AS (
  SELECT o.key AS _key, o.partition AS _partition, o.start_offset + l.line_no AS _offset,
         l.line_no AS _line_no, l.line
  FROM chunk_lines l JOIN objects o ON o.file = l.file
), parsed AS (
  SELECT *, line_problem(line) AS _problem FROM lines
), typed AS (
  SELECT *,
    CASE WHEN _problem IS NULL THEN json_type(line, ['$.ind', '$.timestamp', '$.latitude', '$.longitude', '$.country']) END AS t,
    CASE WHEN _problem IS NULL THEN json_extract_string(line, ['$.ind', '$.timestamp', '$.latitude', '$.longitude', '$.country']) END AS v
  FROM parsed
), checked AS (
  SELECT *, coalesce(_problem, object_problem(line, t),
    column_problem('ind', 'key', t[1], v[1]),
    column_problem('timestamp', 'datetime', t[2], v[2]),
    column_problem('latitude', 'float', t[3], v[3]),
    column_problem('longitude', 'float', t[4], v[4]),
    column_problem('country', 'text', t[5], v[5])
  ) AS _reason
  FROM typed
)
SELECT _key, _partition, _offset, _line_no, _reason,
  CASE WHEN _reason IS NOT NULL THEN left(line, 1000) END AS _line,
  CASE WHEN _reason IS NULL THEN CAST(trim(v[1]) AS BIGINT) END AS ind,
  CASE WHEN _reason IS NULL THEN parse_datetime(v[2]) END AS "timestamp",
  CASE WHEN _reason IS NULL THEN CAST(trim(v[3]) AS DOUBLE) END AS latitude,
  CASE WHEN _reason IS NULL THEN CAST(trim(v[4]) AS DOUBLE) END AS longitude,
  CASE WHEN _reason IS NULL THEN v[5] END AS country
FROM checked
