-- An incremental run, step 5 of 5, for the {{kind}} topic: the clean rows of the changed posts written
-- again (clean_{{kind}}.sql over their winners). Its contracts check those rows only (contract_rows):
-- the others were checked by the runs that wrote them.
DELETE FROM {{kind}}_clean WHERE ind IN (SELECT ind FROM changed_posts);
CREATE OR REPLACE TEMP VIEW changed_winners AS SELECT * FROM post_winners WHERE _post IN (SELECT ind FROM changed_posts);
INSERT INTO {{kind}}_clean {{ref clean winners=changed_winners}};
