ALTER TABLE ingest_tokens DROP COLUMN last_used_at;
