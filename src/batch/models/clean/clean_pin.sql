-- Task 1 (docs/spec.md#task-1): the clean pin table. Placeholders (placeholders.sql) and empty strings → NULL,
-- per column; follower_count → integer; save_location → the path only; index → ind.
-- One row per ind: when a post arrived more than once, the copy with the lowest Kafka offset wins
-- (ties: lowest partition), i.e. the first time it was sent on its partition (post_winners.sql).
-- {{winners}}: the rows of post_winners.sql (every post, or the posts a run changed).
SELECT
  "index" AS ind,
  clean_text('unique_id', unique_id) AS unique_id,
  clean_text('title', title) AS title,
  clean_text('description', description) AS description,
  parse_follower_count(clean_text('follower_count', follower_count)) AS follower_count,
  clean_text('poster_name', poster_name) AS poster_name,
  clean_text('tag_list', tag_list) AS tag_list,
  clean_text('is_image_or_video', is_image_or_video) AS is_image_or_video,
  clean_text('image_src', image_src) AS image_src,
  clean_text('save_location',
    CASE WHEN starts_with(save_location, save_location_prefix())
         THEN substr(save_location, length(save_location_prefix()) + 1)
         ELSE save_location END) AS save_location,
  clean_text('category', category) AS category
FROM staged_pin
WHERE rowid IN (SELECT _rid FROM {{winners}})
ORDER BY ind
