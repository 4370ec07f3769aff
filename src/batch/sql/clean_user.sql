-- Task 3 (docs/spec.md#task-3): the clean user table. user_name = first_name || ' ' || last_name (NULL when
-- either is missing); date_joined as a timestamp (parsed at load). One row per ind, as in
-- clean_pin.sql.
CREATE OR REPLACE TABLE user_clean AS
SELECT
  ind,
  clean_text('first_name', first_name) || ' ' || clean_text('last_name', last_name) AS user_name,
  age,
  date_joined
FROM raw_user
QUALIFY row_number() OVER (PARTITION BY ind ORDER BY _offset, _partition) = 1
ORDER BY ind;
