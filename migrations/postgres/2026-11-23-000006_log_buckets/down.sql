ALTER TABLE access_events DROP COLUMN bucket;
