-- Task 5 (docs/spec.md#task-5): the most popular category each year, 2018–2022. post_year = year of the geo
-- timestamp. Ties: highest count first, then category ascending; one row per year.
SELECT year(g."timestamp") AS post_year, p.category, count(*) AS category_count
FROM pin_clean p JOIN geo_clean g USING (ind)
WHERE year(g."timestamp") BETWEEN 2018 AND 2022 AND p.category IS NOT NULL
GROUP BY post_year, p.category
QUALIFY row_number() OVER (PARTITION BY post_year ORDER BY count(*) DESC, p.category ASC) = 1
ORDER BY post_year
