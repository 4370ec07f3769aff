-- raw_{{kind}}: one row per (partition, offset) of every loaded line (dedup_offsets.sql).
CREATE OR REPLACE VIEW raw_{{kind}} AS {{ref dedup_offsets staged=staged_{{kind}}}};
