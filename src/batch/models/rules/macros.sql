-- Rules shared by the load, cleaning and analytics SQL (docs/spec.md#s3-layout, #cleaning, #results). Run once per database,
-- after placeholders.sql. Every macro is a plain expression: open the file to see the rule.

-- The lines of sink objects (docs/spec.md#s3-layout): one row per line with its 0-based line number. The text
-- after the last newline is not a line when it is empty (each record ends with a newline).
CREATE OR REPLACE MACRO object_lines(files) AS TABLE
  SELECT file, CASE WHEN ends_with(line, chr(13)) THEN rtrim(line, chr(13)) ELSE line END AS line, line_no
  FROM (
    SELECT filename AS file, unnest(parts) AS line, unnest(range(len(parts))) AS line_no, len(parts) AS n
    FROM (SELECT filename, string_split(content, chr(10)) AS parts FROM read_text(files))
  )
  WHERE NOT (line_no = n - 1 AND line = '');

-- Marker written in place of a line that is not valid UTF-8 (load-objects.ts), so that the line
-- keeps its number and is quarantined with the right reason.
CREATE OR REPLACE MACRO invalid_utf8_marker() AS chr(1) || 'pinpipe:invalid-utf8';

-- Datetimes: "2020-08-28 03:52:47" (the original) or ISO-8601 ("2020-08-28T03:52:47Z",
-- offsets converted to UTC); NULL when the text is not a datetime. The session time zone is UTC.
-- The rule is the TIMESTAMPTZ cast. Text of exactly the original's shape has no offset to convert,
-- so the plain TIMESTAMP cast gives the same value for less (the TIMESTAMPTZ cast goes through ICU,
-- several times the CPU of the shape check and the plain cast); the TIMESTAMP cast alone would
-- ignore an offset, so every other text takes the rule itself.
CREATE OR REPLACE MACRO parse_datetime(s) AS
  CASE WHEN regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}')
    THEN try_cast(s AS TIMESTAMP)
    ELSE try_cast(trim(s) AS TIMESTAMPTZ)::TIMESTAMP END;

-- follower_count text → integer (docs/spec.md#clean-followers, #choice-follower-count): plain digits as they are, `k` × 1,000, `M` × 1,000,000,
-- decimals such as `1.2k` → 1200 (rounded half away from zero to a whole count); NULL otherwise.
CREATE OR REPLACE MACRO parse_follower_count(s) AS
  CASE
    WHEN regexp_full_match(trim(s), '[0-9]+') THEN try_cast(trim(s) AS BIGINT)
    WHEN regexp_full_match(trim(s), '[0-9]+(\.[0-9]+)?[kK]')
      THEN try_cast(round(try_cast(rtrim(trim(s), 'kK') AS DECIMAL(18, 6)) * 1000) AS BIGINT)
    WHEN regexp_full_match(trim(s), '[0-9]+(\.[0-9]+)?[mM]')
      THEN try_cast(round(try_cast(rtrim(trim(s), 'mM') AS DECIMAL(18, 6)) * 1000000) AS BIGINT)
    WHEN regexp_full_match(trim(s), '[0-9]+\.[0-9]+')
      THEN try_cast(round(try_cast(trim(s) AS DECIMAL(18, 6))) AS BIGINT)
  END;

-- True when v is one of the placeholders of that column (placeholders.sql).
CREATE OR REPLACE MACRO is_placeholder(col, v) AS
  coalesce(list_contains(getvariable('placeholder_values')[col], v), false);

-- Text cleaning (docs/spec.md#clean-placeholders, #choice-empty-strings): placeholders and empty strings → NULL.
CREATE OR REPLACE MACRO clean_text(col, v) AS
  CASE WHEN v = '' OR is_placeholder(col, v) THEN NULL ELSE v END;

-- Why a line cannot be loaded, before looking at its columns; NULL when it is valid JSON.
CREATE OR REPLACE MACRO line_problem(line) AS
  CASE
    WHEN line = invalid_utf8_marker() THEN 'not valid UTF-8'
    WHEN NOT json_valid(line) THEN CASE WHEN trim(line) = '' THEN 'empty line' ELSE 'not JSON (malformed or truncated)' END
  END;

-- A valid JSON line in which none of the columns was found (t: the json_type() list): when it is
-- not an object, say so (only such lines are parsed again).
CREATE OR REPLACE MACRO object_problem(line, t) AS
  CASE WHEN list_count(t) = 0 AND json_type(line) <> 'OBJECT' THEN 'not a JSON object' END;

-- A JSON type as people say it, for quarantine reasons.
CREATE OR REPLACE MACRO json_kind(t) AS
  CASE t WHEN 'VARCHAR' THEN 'a string' WHEN 'BIGINT' THEN 'an integer' WHEN 'UBIGINT' THEN 'an integer'
         WHEN 'DOUBLE' THEN 'a decimal number' WHEN 'BOOLEAN' THEN 'a boolean' WHEN 'OBJECT' THEN 'an object'
         WHEN 'ARRAY' THEN 'an array' ELSE lower(t) END;

-- Why one column of a record is unusable; NULL when it is fine. t is json_type() of the value
-- (NULL when the key is missing, 'NULL' for a JSON null), v its json_extract_string() text.
-- kinds: key (an integer, never null), int, float, text, datetime, count (follower_count).
CREATE OR REPLACE MACRO column_problem(name, kind, t, v) AS
  CASE
    WHEN t IS NULL THEN 'missing column ' || name
    WHEN t = 'NULL' THEN CASE WHEN kind = 'key' THEN name || ' is null' END
    WHEN kind IN ('key', 'int') THEN
      CASE WHEN t IN ('BIGINT', 'UBIGINT', 'VARCHAR') AND regexp_full_match(trim(v), '-?[0-9]{1,18}') THEN NULL
           ELSE name || ': expected an integer, got ' || json_kind(t) END
    WHEN kind = 'float' THEN
      CASE WHEN t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN NULL
           WHEN t = 'VARCHAR' AND isfinite(try_cast(trim(v) AS DOUBLE)) THEN NULL
           ELSE name || ': expected a number, got ' || json_kind(t) END
    WHEN kind = 'text' THEN
      CASE WHEN t = 'VARCHAR' THEN NULL ELSE name || ': expected a string, got ' || json_kind(t) END
    WHEN kind = 'datetime' THEN
      CASE WHEN t = 'VARCHAR' AND (v = '' OR parse_datetime(v) IS NOT NULL) THEN NULL
           ELSE name || ': expected a datetime such as 2020-08-28 03:52:47' END
    WHEN kind = 'count' THEN
      CASE WHEN t IN ('BIGINT', 'UBIGINT') AND try_cast(v AS BIGINT) >= 0 THEN NULL
           WHEN t = 'VARCHAR' AND (v = '' OR is_placeholder(name, v) OR parse_follower_count(v) IS NOT NULL) THEN NULL
           ELSE name || ': expected a count such as 8632, 124k, 1.2k or 5M' END
    ELSE 'unknown column kind ' || kind
  END;

-- The typed load's fast path (staging/load.sql), per column; kind is a constant there, so DuckDB
-- keeps only its branch. column_datetime: the value of a datetime column parsed once, for the test
-- and the typed value (NULL for the other kinds). column_passes: true only for values that
-- column_problem() finds nothing wrong with (the common, clean ones); the others take the full check.
CREATE OR REPLACE MACRO column_datetime(kind, v) AS
  CASE WHEN kind = 'datetime' THEN parse_datetime(v) END;
CREATE OR REPLACE MACRO column_passes(name, kind, t, v, d) AS
  CASE kind
    WHEN 'key' THEN t IN ('UBIGINT', 'BIGINT') AND length(v) <= 18
    WHEN 'int' THEN t IN ('UBIGINT', 'BIGINT') AND length(v) <= 18
    WHEN 'float' THEN t IN ('UBIGINT', 'BIGINT', 'DOUBLE')
    WHEN 'text' THEN t IN ('VARCHAR', 'NULL')
    WHEN 'datetime' THEN t = 'VARCHAR' AND d IS NOT NULL
    WHEN 'count' THEN (t = 'UBIGINT' AND length(v) <= 18)
      OR (t = 'VARCHAR' AND (v = '' OR regexp_full_match(v, '[0-9]{1,9}(\.[0-9]{1,6})?[kKmM]?') OR is_placeholder(name, v)))
  END;

-- The typed value of a column that passed, by kind (the column types of staged_<topic>): key and
-- int a BIGINT, float a DOUBLE, datetime the parsed value, text and count the text as it is
-- (follower_count is parsed by the cleaning). v: the json_extract_string() text, d: column_datetime().
CREATE OR REPLACE MACRO key_value(v, d) AS CAST(trim(v) AS BIGINT);
CREATE OR REPLACE MACRO int_value(v, d) AS CAST(trim(v) AS BIGINT);
CREATE OR REPLACE MACRO float_value(v, d) AS CAST(trim(v) AS DOUBLE);
CREATE OR REPLACE MACRO datetime_value(v, d) AS d;
CREATE OR REPLACE MACRO text_value(v, d) AS v;
CREATE OR REPLACE MACRO count_value(v, d) AS v;

-- Age groups (docs/spec.md#age-groups). An age outside every group (under 18, or NULL) belongs to none and is left
-- out of the age-group results. `ord` is the display order.
CREATE OR REPLACE TABLE age_groups (age_group VARCHAR, min_age INTEGER, max_age INTEGER, ord INTEGER);
INSERT INTO age_groups VALUES
  ('18-24', 18, 24, 1),
  ('25-35', 25, 35, 2),
  ('36-50', 36, 50, 3),
  ('+50', 51, 2147483647, 4);
