-- An incremental run, step 3 of 5, for the {{kind}} topic: the quarantine of the touched offsets worked
-- out again (quarantine_lines.sql over the lines at those offsets).
CREATE OR REPLACE TEMP VIEW touched_staged AS
  SELECT s.* FROM staged_{{kind}} s SEMI JOIN touched USING (_partition, _offset)
  WHERE _offset BETWEEN getvariable('touched_lo') AND getvariable('touched_hi');
DELETE FROM quarantine q WHERE topic = '{{kind}}' AND EXISTS (SELECT 1 FROM touched t WHERE t._partition = q.partition AND t._offset = q."offset");
INSERT INTO quarantine {{ref quarantine_lines staged=touched_staged}};
