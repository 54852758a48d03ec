ALTER TABLE organisations DROP COLUMN appeal;
