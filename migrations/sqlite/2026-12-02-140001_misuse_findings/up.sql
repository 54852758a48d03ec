-- What a misuse investigation asked for with a log-data request found (Act 703/2023 § 11).
-- A new finding is a new row: the latest is stated in the answer, earlier ones stay on record.
-- Keep in step with the other backend's migration of the same name.
CREATE TABLE misuse_findings (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES requests (id),
    misuse_found BOOLEAN NOT NULL,
    finding TEXT NOT NULL,
    concluded_on DATE NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX misuse_findings_request ON misuse_findings (request_id, recorded_at);
