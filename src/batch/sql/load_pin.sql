-- Load (before task 1): the lines of the pin topic's objects → typed rows with explicit column
-- types, or a reason to quarantine the line. `chunk_lines` holds the lines of this chunk's objects
-- (object_lines() in macros.sql, materialised first so that this query runs in parallel);
-- `objects` maps each file to its key, partition and start offset (docs/spec.md#s3-layout): the record's offset
-- is the start offset plus the 0-based line number.
WITH lines AS (
  SELECT o.key AS _key, o.partition AS _partition, o.start_offset + l.line_no AS _offset,
         l.line_no AS _line_no, l.line
  FROM chunk_lines l JOIN objects o ON o.file = l.file
), parsed AS (
  SELECT *, line_problem(line) AS _problem FROM lines
), typed AS (
  SELECT *,
    CASE WHEN _problem IS NULL THEN json_type(line, ['$.index', '$.unique_id', '$.title', '$.description',
      '$.poster_name', '$.follower_count', '$.tag_list', '$.is_image_or_video', '$.image_src',
      '$.downloaded', '$.save_location', '$.category']) END AS t,
    CASE WHEN _problem IS NULL THEN json_extract_string(line, ['$.index', '$.unique_id', '$.title',
      '$.description', '$.poster_name', '$.follower_count', '$.tag_list', '$.is_image_or_video',
      '$.image_src', '$.downloaded', '$.save_location', '$.category']) END AS v
  FROM parsed
), checked AS (
  SELECT *, coalesce(_problem, object_problem(line, t),
    column_problem('index', 'key', t[1], v[1]),
    column_problem('unique_id', 'text', t[2], v[2]),
    column_problem('title', 'text', t[3], v[3]),
    column_problem('description', 'text', t[4], v[4]),
    column_problem('poster_name', 'text', t[5], v[5]),
    column_problem('follower_count', 'count', t[6], v[6]),
    column_problem('tag_list', 'text', t[7], v[7]),
    column_problem('is_image_or_video', 'text', t[8], v[8]),
    column_problem('image_src', 'text', t[9], v[9]),
    column_problem('downloaded', 'int', t[10], v[10]),
    column_problem('save_location', 'text', t[11], v[11]),
    column_problem('category', 'text', t[12], v[12])
  ) AS _reason
  FROM typed
)
SELECT _key, _partition, _offset, _line_no, _reason,
  CASE WHEN _reason IS NOT NULL THEN left(line, 1000) END AS _line,
  CASE WHEN _reason IS NULL THEN CAST(trim(v[1]) AS BIGINT) END AS "index",
  CASE WHEN _reason IS NULL THEN v[2] END AS unique_id,
  CASE WHEN _reason IS NULL THEN v[3] END AS title,
  CASE WHEN _reason IS NULL THEN v[4] END AS description,
  CASE WHEN _reason IS NULL THEN v[5] END AS poster_name,
  CASE WHEN _reason IS NULL THEN v[6] END AS follower_count,
  CASE WHEN _reason IS NULL THEN v[7] END AS tag_list,
  CASE WHEN _reason IS NULL THEN v[8] END AS is_image_or_video,
  CASE WHEN _reason IS NULL THEN v[9] END AS image_src,
  CASE WHEN _reason IS NULL THEN CAST(trim(v[10]) AS BIGINT) END AS downloaded,
  CASE WHEN _reason IS NULL THEN v[11] END AS save_location,
  CASE WHEN _reason IS NULL THEN v[12] END AS category
FROM checked
