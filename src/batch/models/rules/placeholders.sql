-- The scraper's placeholder values (docs/spec.md#source-tables "dirty values"), replaced by NULL in the clean pin
-- table (docs/spec.md#cleaning, task 1). One row per (column, value): add or delete a row to change the rule.
-- Empty strings become NULL in every text column as well (see clean_text in macros.sql).
CREATE OR REPLACE TABLE placeholders (column_name VARCHAR, value VARCHAR);
INSERT INTO placeholders VALUES
  ('title',             'No Title Data Available'),
  ('description',       'No description available Story format'),
  ('description',       'No description available'),
  ('poster_name',       'User Info Error'),
  ('follower_count',    'User Info Error'),
  ('tag_list',          'N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e'),
  ('image_src',         'Image src error.'),
  -- Choice (docs/spec.md#choice-story-format): this value is one of the dirty values and task 1
  -- turns every dirty value into NULL, so a story page's media type becomes NULL.
  -- Delete this row to keep `multi-video(story page format)` as a media type of its own.
  ('is_image_or_video', 'multi-video(story page format)');

-- save_location always starts with this text (docs/spec.md#clean-save-location); the clean table keeps the path only.
CREATE OR REPLACE MACRO save_location_prefix() AS 'Local save in ';
