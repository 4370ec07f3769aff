-- One row per (partition, offset) of the {{kind}} topic: a record seen twice (overlapping objects
-- after a sink replay, spec §3) is kept once; the copy in the object with the smallest key wins
-- (the copies of one offset are the same Kafka record). {{staged}}: the loaded lines to consider
-- (staged_{{kind}} for the view raw_{{kind}}, or the lines at the offsets a run changed).
SELECT * EXCLUDE (_reason, _line) FROM {{staged}}
WHERE _reason IS NULL
QUALIFY row_number() OVER (PARTITION BY _partition, _offset ORDER BY _key) = 1
