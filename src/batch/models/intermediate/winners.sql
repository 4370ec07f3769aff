-- The winning line of every post of the {{kind}} topic (post_winners.sql), found on the narrow keys:
-- only those lines are then read whole and cleaned (clean/clean_table.sql).
CREATE OR REPLACE TEMP VIEW staged_rows AS SELECT rowid AS _rid, * FROM staged_{{kind}};
CREATE OR REPLACE TEMP TABLE winners AS {{ref post_winners staged=staged_rows}};
