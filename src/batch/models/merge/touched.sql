-- An incremental run, step 1 of 5, for the {{kind}} topic: the lines of the objects in changed_keys
-- (loaded again, or gone) are to be replaced by those in new_{{kind}}; only what they can change is
-- worked out again. touched: the offsets those lines hold. Every scan of staged_{{kind}} for them
-- also says the range of offsets they lie in (an object's lines are at its start offset and after:
-- changed_lo; touched_lo and touched_hi), so that DuckDB skips the row groups outside it by their
-- min/max instead of reading the whole table (a variable is folded into the scan as a constant).
-- The lines at the offsets of a table are found with a semi join: DuckDB narrows the scan to the
-- offsets' range from the join, which it does not do for the same condition written as EXISTS.
SET VARIABLE changed_lo = (
  SELECT min(start_offset) FROM loaded_objects
  WHERE kind = '{{kind}}' AND key IN (SELECT key FROM changed_keys)
);
CREATE OR REPLACE TEMP TABLE touched AS
  SELECT DISTINCT _partition, _offset FROM staged_{{kind}}
  WHERE _offset BETWEEN getvariable('changed_lo') AND 9223372036854775807 AND _key IN (SELECT key FROM changed_keys)
  UNION SELECT _partition, _offset FROM new_{{kind}};
SET VARIABLE touched_lo = (SELECT min(_offset) FROM touched);
SET VARIABLE touched_hi = (SELECT max(_offset) FROM touched);
-- the offsets holding a good line change only among the touched ones: counted before and after
CREATE OR REPLACE TEMP TABLE kept_before AS
  SELECT count(*) FROM touched SEMI JOIN (
    SELECT _partition, _offset FROM staged_{{kind}}
    WHERE _reason IS NULL AND _offset BETWEEN getvariable('touched_lo') AND getvariable('touched_hi')
  ) USING (_partition, _offset);
CREATE OR REPLACE TEMP TABLE touched_posts AS
  SELECT "{{key}}" AS ind FROM staged_{{kind}} s SEMI JOIN touched USING (_partition, _offset)
  WHERE _reason IS NULL AND _offset BETWEEN getvariable('touched_lo') AND getvariable('touched_hi');
-- the posts that lose a good line: their winner may be among the lines removed
CREATE OR REPLACE TEMP TABLE losing_posts AS
  SELECT DISTINCT "{{key}}" AS ind FROM staged_{{kind}}
  WHERE _offset BETWEEN getvariable('changed_lo') AND 9223372036854775807 AND _key IN (SELECT key FROM changed_keys)
    AND _reason IS NULL;
