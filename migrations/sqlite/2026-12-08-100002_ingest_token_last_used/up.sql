-- When each ingest token was last used to send events, shown to the organisation's admin.
-- Written at most once a minute per token, so a client sending many batches does not
-- cause a write per batch. NULL: never used (or not since this column came).
-- Keep in step with the other backend's migration of the same name.
ALTER TABLE ingest_tokens ADD COLUMN last_used_at TIMESTAMP;
