-- An incremental run, step 5 of 5, for the {{kind}} topic: the clean rows of the changed posts written
-- again (clean_{{kind}}.sql over their winners); the run's temporary tables dropped.
DELETE FROM {{kind}}_clean WHERE ind IN (SELECT ind FROM changed_posts);
CREATE OR REPLACE TEMP VIEW changed_winners AS SELECT * FROM post_winners WHERE _post IN (SELECT ind FROM changed_posts);
INSERT INTO {{kind}}_clean {{ref clean winners=changed_winners}};
DROP VIEW changed_winners; DROP TABLE kept_before; DROP TABLE post_winners; DROP TABLE post_staged;
DROP VIEW touched_staged; DROP TABLE post_offsets; DROP TABLE touched; DROP TABLE touched_posts;
DROP TABLE losing_posts; DROP TABLE changed_posts;
