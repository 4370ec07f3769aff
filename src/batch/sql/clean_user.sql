-- Task 3 (docs/spec.md#task-3): the clean user table. user_name = first_name || ' ' || last_name (NULL when
-- either is missing); date_joined as a timestamp (parsed at load). One row per ind, as in
-- clean_pin.sql.
-- {{raw}}: raw_user, or its rows of the posts a run changed (incremental runs).
SELECT
  ind,
  clean_text('first_name', first_name) || ' ' || clean_text('last_name', last_name) AS user_name,
  age,
  date_joined
FROM {{raw}} r
SEMI JOIN (
  SELECT ind, min({'o': _offset, 'p': _partition}) AS first FROM {{raw}} GROUP BY ind
) w ON w.ind = r.ind AND w.first = {'o': r._offset, 'p': r._partition}
ORDER BY ind
