-- The three source tables of the Pinterest pipeline (docs/spec.md#source-tables).
-- One row per post; `index` (pinterest_data) and `ind` (the two others) hold the same integers 1..N.
-- Loaded by src/seed/loader.ts into staging copies of these tables, then swapped in with one RENAME TABLE.
-- Columns are nullable as in the original RDS tables; the dirty values are strings, never NULL.

CREATE TABLE `pinterest_data` (
  `index` INT NOT NULL,
  `unique_id` VARCHAR(36),
  `title` TEXT,
  `description` TEXT,
  `poster_name` TEXT,
  `follower_count` VARCHAR(32),
  `tag_list` TEXT,
  `is_image_or_video` VARCHAR(64),
  `image_src` TEXT,
  `downloaded` INT,
  `save_location` VARCHAR(255),
  `category` VARCHAR(64),
  PRIMARY KEY (`index`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `geolocation_data` (
  `ind` INT NOT NULL,
  `timestamp` DATETIME,
  `latitude` FLOAT,
  `longitude` FLOAT,
  `country` VARCHAR(100),
  PRIMARY KEY (`ind`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `user_data` (
  `ind` INT NOT NULL,
  `first_name` VARCHAR(64),
  `last_name` VARCHAR(64),
  `age` INT,
  `date_joined` DATETIME,
  PRIMARY KEY (`ind`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
