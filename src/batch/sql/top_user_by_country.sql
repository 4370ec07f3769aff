-- Task 6a (docs/spec.md#task-6a): the user with the most followers in each country; poster_name and
-- follower_count from pin, joined to geo for the country. NULL follower counts are ignored, and so
-- are posts without a poster_name (a placeholder: no user to name). Ties: highest follower_count
-- first, then poster_name ascending; one row per country.
SELECT g.country, p.poster_name, p.follower_count
FROM pin_clean p JOIN geo_clean g USING (ind)
WHERE g.country IS NOT NULL AND p.follower_count IS NOT NULL AND p.poster_name IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY g.country ORDER BY p.follower_count DESC, p.poster_name ASC) = 1
ORDER BY g.country
