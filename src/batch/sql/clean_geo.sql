-- Task 2 (spec §4): the clean geo table. coordinates = [latitude, longitude]; timestamp as a
-- timestamp (parsed at load); empty country → NULL. One row per ind, as in clean_pin.sql.
-- {{raw}}: raw_geo, or its rows of the posts a run changed (incremental runs).
SELECT
  ind,
  clean_text('country', country) AS country,
  [latitude, longitude]::DOUBLE[] AS coordinates,
  "timestamp"
FROM {{raw}}
QUALIFY row_number() OVER (PARTITION BY ind ORDER BY _offset, _partition) = 1
ORDER BY ind
