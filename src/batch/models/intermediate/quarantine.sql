-- The quarantined lines of the {{kind}} topic (quarantine_lines.sql), replacing the topic's earlier ones.
DELETE FROM quarantine WHERE topic = '{{kind}}';
INSERT INTO quarantine {{ref quarantine_lines staged=staged_{{kind}}}};
