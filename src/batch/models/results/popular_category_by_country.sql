-- Task 4 (docs/spec.md#task-4): the most popular category in each country. Posts = pin ⋈ geo on ind.
-- Ties: highest count first, then category ascending; one row per country. Posts without a
-- country or category are left out.
SELECT g.country, p.category, count(*) AS category_count
FROM pin_clean p JOIN geo_clean g USING (ind)
WHERE g.country IS NOT NULL AND p.category IS NOT NULL
GROUP BY g.country, p.category
QUALIFY row_number() OVER (PARTITION BY g.country ORDER BY count(*) DESC, p.category ASC) = 1
ORDER BY g.country
