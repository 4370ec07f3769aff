-- The lines of the {{kind}} topic that could not be loaded, once per offset, unless another object
-- holds a good copy of the same offset (then nothing is lost: the line was superseded, not
-- quarantined). {{staged}} as in dedup_offsets.sql.
SELECT '{{kind}}' AS topic, _key AS key, _line_no AS line_no, _partition AS partition, _offset AS "offset",
       _reason AS reason, _line AS line
FROM {{staged}} s
WHERE _reason IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM staged_{{kind}} g
    WHERE g._reason IS NULL AND g._partition = s._partition AND g._offset = s._offset
  )
QUALIFY row_number() OVER (PARTITION BY _partition, _offset ORDER BY _key) = 1
