-- Task 3 (docs/spec.md#task-3): the clean user table. user_name = first_name || ' ' || last_name (NULL when
-- either is missing); date_joined as a timestamp (parsed at load). One row per ind, as in
-- clean_pin.sql.
-- {{winners}}: the rows of post_winners.sql (every post, or the posts a run changed).
SELECT
  ind,
  clean_text('first_name', first_name) || ' ' || clean_text('last_name', last_name) AS user_name,
  age,
  date_joined
FROM staged_user
WHERE rowid IN (SELECT _rid FROM {{winners}})
ORDER BY ind
