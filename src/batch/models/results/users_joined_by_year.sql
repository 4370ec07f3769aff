-- Task 9 (docs/spec.md#task-9): users who joined each year, 2015–2020. post_year = year of date_joined (the
-- original's column name). A "user" is a row of the clean user table: one per post, as in the
-- original, so a person who posted twice counts twice.
SELECT year(date_joined) AS post_year, count(*) AS number_users_joined
FROM user_clean
WHERE year(date_joined) BETWEEN 2015 AND 2020
GROUP BY post_year
ORDER BY post_year
