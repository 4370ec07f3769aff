-- After the load of one topic ({{kind}}): a record seen twice (overlapping objects after a sink
-- replay, docs/spec.md#replays) is kept once, one row per (partition, offset); the copy in the object with the
-- smallest key wins (the copies of one offset are the same Kafka record).
CREATE OR REPLACE TABLE raw_{{kind}} AS
SELECT * EXCLUDE (_reason, _line) FROM staged_{{kind}}
WHERE _reason IS NULL
QUALIFY row_number() OVER (PARTITION BY _partition, _offset ORDER BY _key) = 1;

-- The lines that could not be loaded, once per offset, unless another object holds a good copy of
-- the same offset (then nothing is lost: the line was superseded, not quarantined).
INSERT INTO quarantine
SELECT '{{kind}}', _key, _line_no, _partition, _offset, _reason, _line
FROM staged_{{kind}} s
WHERE _reason IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM raw_{{kind}} r WHERE r._partition = s._partition AND r._offset = s._offset)
QUALIFY row_number() OVER (PARTITION BY _partition, _offset ORDER BY _key) = 1;
