-- Task 8 (docs/spec.md#task-8): the exact median follower count per age group (the mean of the two middle
-- values for an even count). Posts = pin ⋈ user on ind; NULL follower counts are ignored (a group
-- whose counts are all NULL shows NULL).
SELECT a.age_group, median(p.follower_count) AS median_follower_count
FROM pin_clean p
JOIN user_clean u USING (ind)
JOIN age_groups a ON u.age BETWEEN a.min_age AND a.max_age
GROUP BY a.age_group, a.ord
ORDER BY a.ord
