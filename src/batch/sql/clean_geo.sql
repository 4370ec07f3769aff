-- Task 2 (docs/spec.md#task-2): the clean geo table. coordinates = [latitude, longitude]; timestamp as a
-- timestamp (parsed at load); empty country → NULL. One row per ind, as in clean_pin.sql.
-- {{raw}}: raw_geo, or its rows of the posts a run changed (incremental runs).
SELECT
  ind,
  clean_text('country', country) AS country,
  [latitude, longitude]::DOUBLE[] AS coordinates,
  "timestamp"
FROM {{raw}} r
SEMI JOIN (
  SELECT ind, min({'o': _offset, 'p': _partition}) AS first FROM {{raw}} GROUP BY ind
) w ON w.ind = r.ind AND w.first = {'o': r._offset, 'p': r._partition}
ORDER BY ind
