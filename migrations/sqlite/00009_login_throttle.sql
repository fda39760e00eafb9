-- +goose Up
-- Sign-in throttling replaces the per-account lock-out (issue 10, finding 6): one row
-- per key, the key being the SHA-256 of "account:<username>", "address:<ip>" or
-- "known:<username>|<ip>" (an address that signed in to that account before).
CREATE TABLE login_throttles (
    key_hash TEXT PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    last_failure_at DATETIME,
    next_attempt_at DATETIME,
    last_success_at DATETIME,
    updated_at DATETIME NOT NULL
);
CREATE INDEX idx_login_throttles_updated ON login_throttles(updated_at);
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;

-- +goose Down
ALTER TABLE users ADD COLUMN locked_until DATETIME;
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users DROP COLUMN must_change_password;
DROP TABLE login_throttles;
