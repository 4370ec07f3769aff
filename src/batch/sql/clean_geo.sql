-- Task 2 (docs/spec.md#task-2): the clean geo table. coordinates = [latitude, longitude]; timestamp as a
-- timestamp (parsed at load); empty country → NULL. One row per ind, as in clean_pin.sql.
CREATE OR REPLACE TABLE geo_clean AS
SELECT
  ind,
  clean_text('country', country) AS country,
  [latitude, longitude]::DOUBLE[] AS coordinates,
  "timestamp"
FROM raw_geo
QUALIFY row_number() OVER (PARTITION BY ind ORDER BY _offset, _partition) = 1
ORDER BY ind;
