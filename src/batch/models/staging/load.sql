-- The typed load of a topic (docs/spec.md#s3-layout): one row per line of lines.sql with either the
-- typed columns (those of the topic in manifest.json, in its order) or the reason why the line is
-- quarantined. What stands between "each column" and "/each" is written once per column of the
-- topic, with its name, kind and position (manifest.json, "about"). Per column: a cheap test that
-- passes only when column_problem() is NULL (the common, clean values), the full check for the
-- others, then the typed value (rules/macros.sql).
WITH parsed AS (
  {{ref load_lines}}
), typed AS (
  SELECT *,
    CASE WHEN _problem IS NULL THEN json_type(line, [{{each column}}'$.{{column}}', {{/each}}]) END AS t,
    CASE WHEN _problem IS NULL THEN json_extract_string(line, [{{each column}}'$.{{column}}', {{/each}}]) END AS v
  FROM parsed
), unpacked AS (
  SELECT * EXCLUDE (v){{each column}}, t[{{n}}] AS _t{{n}}, v[{{n}}] AS _v{{n}}{{/each}} FROM typed
), dated AS (
  SELECT *{{each column}}, column_datetime('{{column_kind}}', _v{{n}}) AS _d{{n}}{{/each}} FROM unpacked
), checked AS (
  SELECT *,
    CASE WHEN _problem IS NULL{{each column}}
      AND column_passes('{{column}}', '{{column_kind}}', _t{{n}}, _v{{n}}, _d{{n}}){{/each}}
    THEN NULL ELSE coalesce(_problem, object_problem(line, t){{each column}},
      column_problem('{{column}}', '{{column_kind}}', _t{{n}}, _v{{n}}){{/each}}) END AS _reason
  FROM dated
)
SELECT _key, _partition, _offset, _line_no, _reason,
  CASE WHEN _reason IS NOT NULL THEN left(line, 1000) END AS _line{{each column}},
  CASE WHEN _reason IS NULL THEN {{column_kind}}_value(_v{{n}}, _d{{n}}) END AS "{{column}}"{{/each}}
FROM checked
