-- Messages from staff to the client: shown on the client's status page and announced by the
-- usual content-free e-mail; they never stop the clock. The text stays out of the
-- hash-chained audit payload (the event names the message).
CREATE TABLE request_messages (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES requests (id),
    org_id TEXT NOT NULL,
    author_id TEXT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX request_messages_request ON request_messages (request_id, created_at);
