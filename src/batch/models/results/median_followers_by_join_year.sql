-- Task 10 (docs/spec.md#task-10): the exact median follower count by joining year, 2015–2020. post_year = year
-- of date_joined. Posts = pin ⋈ user on ind; NULL follower counts are ignored.
SELECT year(u.date_joined) AS post_year, median(p.follower_count) AS median_follower_count
FROM pin_clean p JOIN user_clean u USING (ind)
WHERE year(u.date_joined) BETWEEN 2015 AND 2020
GROUP BY post_year
ORDER BY post_year
