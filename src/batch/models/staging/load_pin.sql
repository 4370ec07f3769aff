-- The typed load of the pin topic (docs/spec.md#s3-layout): one row per line of lines.sql with
-- either the typed columns (those of the topic in manifest.json, in its order) or the reason why
-- the line is quarantined. Per column: a cheap test that passes only when column_problem() is NULL
-- (the common, clean values), the full check for the others, then the typed value.
WITH parsed AS (
  {{ref load_lines}}
), typed AS (
  SELECT *,
    CASE WHEN _problem IS NULL THEN json_type(line, ['$.index', '$.unique_id', '$.title', '$.description', '$.poster_name', '$.follower_count', '$.tag_list', '$.is_image_or_video', '$.image_src', '$.downloaded', '$.save_location', '$.category']) END AS t,
    CASE WHEN _problem IS NULL THEN json_extract_string(line, ['$.index', '$.unique_id', '$.title', '$.description', '$.poster_name', '$.follower_count', '$.tag_list', '$.is_image_or_video', '$.image_src', '$.downloaded', '$.save_location', '$.category']) END AS v
  FROM parsed
), unpacked AS (
  SELECT * EXCLUDE (v), t[1] AS _t1, v[1] AS _v1, t[2] AS _t2, v[2] AS _v2, t[3] AS _t3, v[3] AS _v3, t[4] AS _t4, v[4] AS _v4, t[5] AS _t5, v[5] AS _v5, t[6] AS _t6, v[6] AS _v6, t[7] AS _t7, v[7] AS _v7, t[8] AS _t8, v[8] AS _v8, t[9] AS _t9, v[9] AS _v9, t[10] AS _t10, v[10] AS _v10, t[11] AS _t11, v[11] AS _v11, t[12] AS _t12, v[12] AS _v12 FROM typed
), dated AS (
  SELECT * FROM unpacked
), checked AS (
  SELECT *,
    CASE WHEN _problem IS NULL
      AND (_t1 IN ('UBIGINT', 'BIGINT') AND length(_v1) <= 18)
      AND _t2 IN ('VARCHAR', 'NULL')
      AND _t3 IN ('VARCHAR', 'NULL')
      AND _t4 IN ('VARCHAR', 'NULL')
      AND _t5 IN ('VARCHAR', 'NULL')
      AND ((_t6 = 'UBIGINT' AND length(_v6) <= 18) OR (_t6 = 'VARCHAR' AND (_v6 = '' OR regexp_full_match(_v6, '[0-9]{1,9}(\.[0-9]{1,6})?[kKmM]?') OR is_placeholder('follower_count', _v6))))
      AND _t7 IN ('VARCHAR', 'NULL')
      AND _t8 IN ('VARCHAR', 'NULL')
      AND _t9 IN ('VARCHAR', 'NULL')
      AND (_t10 IN ('UBIGINT', 'BIGINT') AND length(_v10) <= 18)
      AND _t11 IN ('VARCHAR', 'NULL')
      AND _t12 IN ('VARCHAR', 'NULL')
    THEN NULL ELSE coalesce(_problem, object_problem(line, t),
      column_problem('index', 'key', _t1, _v1),
      column_problem('unique_id', 'text', _t2, _v2),
      column_problem('title', 'text', _t3, _v3),
      column_problem('description', 'text', _t4, _v4),
      column_problem('poster_name', 'text', _t5, _v5),
      column_problem('follower_count', 'count', _t6, _v6),
      column_problem('tag_list', 'text', _t7, _v7),
      column_problem('is_image_or_video', 'text', _t8, _v8),
      column_problem('image_src', 'text', _t9, _v9),
      column_problem('downloaded', 'int', _t10, _v10),
      column_problem('save_location', 'text', _t11, _v11),
      column_problem('category', 'text', _t12, _v12)) END AS _reason
  FROM dated
)
SELECT _key, _partition, _offset, _line_no, _reason,
  CASE WHEN _reason IS NOT NULL THEN left(line, 1000) END AS _line,
  CASE WHEN _reason IS NULL THEN CAST(trim(_v1) AS BIGINT) END AS "index",
  CASE WHEN _reason IS NULL THEN _v2 END AS "unique_id",
  CASE WHEN _reason IS NULL THEN _v3 END AS "title",
  CASE WHEN _reason IS NULL THEN _v4 END AS "description",
  CASE WHEN _reason IS NULL THEN _v5 END AS "poster_name",
  CASE WHEN _reason IS NULL THEN _v6 END AS "follower_count",
  CASE WHEN _reason IS NULL THEN _v7 END AS "tag_list",
  CASE WHEN _reason IS NULL THEN _v8 END AS "is_image_or_video",
  CASE WHEN _reason IS NULL THEN _v9 END AS "image_src",
  CASE WHEN _reason IS NULL THEN CAST(trim(_v10) AS BIGINT) END AS "downloaded",
  CASE WHEN _reason IS NULL THEN _v11 END AS "save_location",
  CASE WHEN _reason IS NULL THEN _v12 END AS "category"
FROM checked
