-- Task 6a (docs/spec.md#task-6a): the user with the most followers in each country; poster_name and
-- follower_count from pin, joined to geo for the country. NULL follower counts are ignored, and so
-- are posts without a poster_name (a placeholder: no user to name). Ties: highest follower_count
-- first, then poster_name ascending; one row per country. (Two aggregates, the highest count per
-- country then the first name at it, rather than a window sorting every post.)
WITH posts AS (
  SELECT g.country, p.poster_name, p.follower_count
  FROM pin_clean p JOIN geo_clean g USING (ind)
  WHERE g.country IS NOT NULL AND p.follower_count IS NOT NULL AND p.poster_name IS NOT NULL
)
SELECT country, min(poster_name) AS poster_name, follower_count
FROM posts
SEMI JOIN (SELECT country, max(follower_count) AS follower_count FROM posts GROUP BY country) USING (country, follower_count)
GROUP BY country, follower_count
ORDER BY country
