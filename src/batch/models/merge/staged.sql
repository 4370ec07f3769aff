-- An incremental run, step 2 of 5, for the {{kind}} topic: the changed objects' lines replaced by the
-- new ones in staged_{{kind}}; the posts with a good line at the touched offsets after the change
-- added to touched_posts; the count of offsets holding a good line brought up to date.
DELETE FROM staged_{{kind}}
  WHERE _offset BETWEEN getvariable('changed_lo') AND 9223372036854775807 AND _key IN (SELECT key FROM changed_keys);
INSERT INTO staged_{{kind}} SELECT * FROM new_{{kind}};
INSERT INTO touched_posts
  SELECT "{{key}}" AS ind FROM staged_{{kind}} s SEMI JOIN touched USING (_partition, _offset)
  WHERE _reason IS NULL AND _offset BETWEEN getvariable('touched_lo') AND getvariable('touched_hi');
UPDATE batch_meta SET value = (value::BIGINT - (SELECT * FROM kept_before) + (
    SELECT count(*) FROM touched SEMI JOIN (
      SELECT _partition, _offset FROM staged_{{kind}}
      WHERE _reason IS NULL AND _offset BETWEEN getvariable('touched_lo') AND getvariable('touched_hi')
    ) USING (_partition, _offset)
  ))::VARCHAR
  WHERE name = 'kept_offsets_{{kind}}';
