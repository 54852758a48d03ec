ALTER TABLE organisations DROP COLUMN default_language;
