-- Task 6b (docs/spec.md#task-6b): the country whose top user (task 6a) has the most followers. One row;
-- ties: highest follower_count first, then country ascending.
SELECT country, follower_count
FROM top_user_by_country
ORDER BY follower_count DESC, country ASC
LIMIT 1
