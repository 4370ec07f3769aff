-- An incremental run, step 4 of 5, for the {{kind}} topic: every offset holding a good line of the
-- touched posts, deduplicated as raw_{{kind}}, and each post's winning line (post_winners.sql); the
-- narrow columns of their lines are read once into post_staged.
CREATE OR REPLACE TEMP TABLE post_offsets AS SELECT DISTINCT _partition, _offset FROM staged_{{kind}}
  WHERE _reason IS NULL AND "{{key}}" IN (SELECT ind FROM touched_posts);
CREATE OR REPLACE TEMP TABLE post_staged AS SELECT s.rowid AS _rid, _key, _partition, _offset, _reason, "{{key}}"
  FROM staged_{{kind}} s SEMI JOIN post_offsets USING (_partition, _offset) WHERE _reason IS NULL;
CREATE OR REPLACE TEMP TABLE post_winners AS SELECT * FROM ({{ref post_winners staged=post_staged}})
  WHERE _post IN (SELECT ind FROM touched_posts);
-- A post keeps its clean row when its winning line is one it had before (not from an object this
-- run loaded) and it lost no good line: the line that won before is still there and still beats
-- every other line it had, so it is the same line (a copy sent again later, the daily case,
-- changes nothing). Only the other touched posts are deleted and written again (merge/clean.sql).
CREATE OR REPLACE TEMP TABLE changed_posts AS
  SELECT ind FROM touched_posts
  EXCEPT
  SELECT w._post FROM post_winners w JOIN post_staged s USING (_rid)
    WHERE s._key NOT IN (SELECT key FROM changed_keys) AND w._post NOT IN (SELECT ind FROM losing_posts);
