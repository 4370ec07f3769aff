-- Task 11 (docs/spec.md#task-11): the exact median follower count by age group and joining year, 2015–2020.
-- post_year = year of date_joined. Posts = pin ⋈ user on ind; NULL follower counts are ignored.
SELECT a.age_group, year(u.date_joined) AS post_year, median(p.follower_count) AS median_follower_count
FROM pin_clean p
JOIN user_clean u USING (ind)
JOIN age_groups a ON u.age BETWEEN a.min_age AND a.max_age
WHERE year(u.date_joined) BETWEEN 2015 AND 2020
GROUP BY a.age_group, a.ord, post_year
ORDER BY a.ord, post_year
