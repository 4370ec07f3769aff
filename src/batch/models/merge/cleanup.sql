-- An incremental run, after its contracts, for the {{kind}} topic: its temporary tables dropped.
DROP VIEW changed_winners; DROP TABLE kept_before; DROP TABLE post_winners; DROP TABLE post_staged;
DROP VIEW touched_staged; DROP TABLE post_offsets; DROP TABLE touched; DROP TABLE touched_posts;
DROP TABLE losing_posts; DROP TABLE changed_posts;
