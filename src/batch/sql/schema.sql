-- Tables every run starts from. `objects`: the sink objects of this run (docs/spec.md#s3-layout), filled by
-- load-objects.ts. `quarantine`: the lines that could not be loaded, with the reason.
CREATE OR REPLACE TABLE objects (
  file VARCHAR, key VARCHAR, topic VARCHAR, kind VARCHAR, partition INTEGER, start_offset BIGINT
);
CREATE OR REPLACE TABLE quarantine (
  topic VARCHAR, key VARCHAR, line_no BIGINT, partition INTEGER, "offset" BIGINT, reason VARCHAR, line VARCHAR
);
