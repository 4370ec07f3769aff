-- Task 2 (docs/spec.md#task-2): the clean geo table. coordinates = [latitude, longitude]; timestamp as a
-- timestamp (parsed at load); empty country → NULL. One row per ind, as in clean_pin.sql.
-- {{winners}}: the rows of post_winners.sql (every post, or the posts a run changed).
SELECT
  ind,
  clean_text('country', country) AS country,
  [latitude, longitude]::DOUBLE[] AS coordinates,
  "timestamp"
FROM staged_geo
WHERE rowid IN (SELECT _rid FROM {{winners}})
ORDER BY ind
