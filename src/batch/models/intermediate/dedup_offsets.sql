-- One row per (partition, offset) of the {{kind}} topic: a record seen twice (overlapping objects
-- after a sink replay, docs/spec.md#replays) is kept once; the copy in the object with the smallest key wins
-- (the copies of one offset are the same Kafka record). {{staged}}: the loaded lines to consider
-- (staged_{{kind}} for the view raw_{{kind}}, or the lines at the offsets a run changed).
-- (A join with the winning key of each offset rather than a window over whole rows: only the narrow
-- keys are held in memory.)
SELECT s.* EXCLUDE (_reason, _line) FROM {{staged}} s
SEMI JOIN (
  SELECT _partition, _offset, min(_key) AS _key FROM {{staged}} WHERE _reason IS NULL GROUP BY _partition, _offset
) w USING (_partition, _offset, _key)
WHERE s._reason IS NULL
