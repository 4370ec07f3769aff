-- The line that becomes each post's clean row in the {{kind}} topic, found on the narrow keys only:
-- of the good copies of one (partition, offset) the one in the object with the smallest key wins
-- (raw_{{kind}}, dedup_offsets.sql), then of a post's offsets the lowest offset, ties by the lowest
-- partition (clean_{{kind}}.sql). {{staged}}: the loaded lines with their row id as _rid
-- (every line, or those at the offsets a run changed). One row per post: _post, _rid.
-- Keys are unique within an object and (partition, offset) within raw_{{kind}}, so there are no
-- ties. Every aggregate state is a fixed-size number (the key's rank among the keys; offset and
-- partition as one HUGEINT, partitions being below 2^32), so the aggregates can spill to disk.
WITH key_ranks AS (
  SELECT _key, row_number() OVER (ORDER BY _key) AS _key_rank FROM (SELECT DISTINCT _key FROM {{staged}})
)
SELECT _post, arg_min(_rid, _offset::HUGEINT * 4294967296 + _partition) AS _rid
FROM (
  SELECT _partition, _offset, arg_min(_rid, _key_rank) AS _rid, arg_min("{{key}}", _key_rank) AS _post
  FROM {{staged}} JOIN key_ranks USING (_key)
  WHERE _reason IS NULL
  GROUP BY _partition, _offset
)
GROUP BY _post
