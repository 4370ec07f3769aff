-- The number of offsets of the {{kind}} topic that hold a good line, for the summary (kept up to date
-- by every merge, merge/staged.sql).
DELETE FROM batch_meta WHERE name = 'kept_offsets_{{kind}}';
INSERT INTO batch_meta VALUES ('kept_offsets_{{kind}}', (SELECT count(*) FROM (SELECT DISTINCT _partition, _offset FROM staged_{{kind}} WHERE _reason IS NULL))::VARCHAR);
