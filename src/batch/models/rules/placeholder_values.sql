-- The placeholders of placeholders.sql as a constant map column → values, read by is_placeholder()
-- in macros.sql: a constant is folded into each check instead of a subquery joined to every row.
-- A session variable: every connection of a run sets it.
SET VARIABLE placeholder_values = (
  SELECT map(list(column_name), list(vals))
  FROM (SELECT column_name, list(value) AS vals FROM placeholders GROUP BY column_name)
);
