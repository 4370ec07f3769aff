-- The tables the batch keeps between runs (docs/batch.md, "Incremental runs").
-- `batch_meta`: the rules version the tables were built with (a work dir built by other rules is
-- rebuilt). `loaded_objects`: the sink objects whose lines are in staged_<kind>, with the size and
-- the ETag (S3) or modification time (folder) they had: an object rewritten by a replay differs
-- and is loaded again. `quarantine`: the lines that could not be loaded, with the reason.
-- staged_<kind> (every line of every loaded object), raw_<kind> (one row per offset) and the clean
-- tables take their columns from the load (columns.ts).
CREATE TABLE IF NOT EXISTS batch_meta (name VARCHAR, value VARCHAR);
CREATE TABLE IF NOT EXISTS loaded_objects (
  key VARCHAR, kind VARCHAR, partition INTEGER, start_offset BIGINT, size BIGINT, version VARCHAR
);
CREATE TABLE IF NOT EXISTS quarantine (
  topic VARCHAR, key VARCHAR, line_no BIGINT, partition INTEGER, "offset" BIGINT, reason VARCHAR, line VARCHAR
);
