DROP TABLE access_events;
DROP TABLE log_users;
DROP TABLE log_scopes;
DROP TABLE ingest_tokens;
