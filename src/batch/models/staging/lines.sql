-- What the typed load (load.sql) reads: the lines in chunk_lines (object_lines() of
-- rules/macros.sql), each with its object's key and partition (load_files maps each file to them
-- and to its start offset), its offset (start offset + 0-based line number), its line number, and
-- line_problem() (NULL for a JSON line).
SELECT o.key AS _key, o.partition AS _partition, o.start_offset + l.line_no AS _offset,
       l.line_no AS _line_no, l.line, line_problem(l.line) AS _problem
FROM chunk_lines l JOIN load_files o ON o.file = l.file
