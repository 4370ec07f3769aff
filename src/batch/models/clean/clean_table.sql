-- The clean table of the {{kind}} topic (tasks 1–3): its winners (intermediate/winners.sql), cleaned
-- by clean_{{kind}}.sql.
CREATE OR REPLACE TABLE {{kind}}_clean AS {{ref clean winners=winners}};
DROP TABLE winners; DROP VIEW staged_rows;
