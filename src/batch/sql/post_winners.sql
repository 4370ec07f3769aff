-- The line that becomes each post's clean row in the {{kind}} topic, found on the narrow keys only:
-- of the good copies of one (partition, offset) the one in the object with the smallest key wins
-- (raw_{{kind}}, dedup_offsets.sql), then of a post's offsets the lowest offset, ties by the lowest
-- partition (clean_{{kind}}.sql). {{staged}}: the loaded lines with their row id as _rid
-- (every line, or those at the offsets a run changed). One row per post: _post, _rid.
-- (Keys are unique within an object and (partition, offset) within raw_{{kind}}: no ties.)
SELECT _post, arg_min(_rid, {'o': _offset, 'p': _partition}) AS _rid
FROM (
  SELECT _partition, _offset, arg_min(_rid, _key) AS _rid, arg_min("{{key}}", _key) AS _post
  FROM {{staged}} WHERE _reason IS NULL GROUP BY _partition, _offset
)
GROUP BY _post
