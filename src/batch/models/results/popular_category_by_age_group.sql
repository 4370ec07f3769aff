-- Task 7 (docs/spec.md#task-7): the most popular category per age group. Posts = pin ⋈ user on ind; age
-- groups from macros.sql (ages under 18 or NULL belong to none). Ties: highest count first, then
-- category ascending; one row per age group, in the groups' order.
SELECT a.age_group, p.category, count(*) AS category_count
FROM pin_clean p
JOIN user_clean u USING (ind)
JOIN age_groups a ON u.age BETWEEN a.min_age AND a.max_age
WHERE p.category IS NOT NULL
GROUP BY a.age_group, a.ord, p.category
QUALIFY row_number() OVER (PARTITION BY a.age_group ORDER BY count(*) DESC, p.category ASC) = 1
ORDER BY a.ord
