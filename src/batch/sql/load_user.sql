-- Load (before task 3): the lines of the user topic's objects → typed rows with explicit column
-- types, or a reason to quarantine the line (see load_pin.sql for the offsets).
WITH lines AS (
  SELECT o.key AS _key, o.partition AS _partition, o.start_offset + l.line_no AS _offset,
         l.line_no AS _line_no, l.line
  FROM chunk_lines l JOIN objects o ON o.file = l.file
), parsed AS (
  SELECT *, line_problem(line) AS _problem FROM lines
), typed AS (
  SELECT *,
    CASE WHEN _problem IS NULL THEN json_type(line, ['$.ind', '$.first_name', '$.last_name', '$.age', '$.date_joined']) END AS t,
    CASE WHEN _problem IS NULL THEN json_extract_string(line, ['$.ind', '$.first_name', '$.last_name', '$.age', '$.date_joined']) END AS v
  FROM parsed
), checked AS (
  SELECT *, coalesce(_problem, object_problem(line, t),
    column_problem('ind', 'key', t[1], v[1]),
    column_problem('first_name', 'text', t[2], v[2]),
    column_problem('last_name', 'text', t[3], v[3]),
    column_problem('age', 'int', t[4], v[4]),
    column_problem('date_joined', 'datetime', t[5], v[5])
  ) AS _reason
  FROM typed
)
SELECT _key, _partition, _offset, _line_no, _reason,
  CASE WHEN _reason IS NOT NULL THEN left(line, 1000) END AS _line,
  CASE WHEN _reason IS NULL THEN CAST(trim(v[1]) AS BIGINT) END AS ind,
  CASE WHEN _reason IS NULL THEN v[2] END AS first_name,
  CASE WHEN _reason IS NULL THEN v[3] END AS last_name,
  CASE WHEN _reason IS NULL THEN CAST(trim(v[4]) AS BIGINT) END AS age,
  CASE WHEN _reason IS NULL THEN parse_datetime(v[5]) END AS date_joined
FROM checked
