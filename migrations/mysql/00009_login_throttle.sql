-- +goose Up
-- Sign-in throttling replaces the per-account lock-out (issue 10, finding 6): one row
-- per key, the key being the SHA-256 of "account:<username>", "address:<ip>" or
-- "known:<username>|<ip>" (an address that signed in to that account before).
CREATE TABLE login_throttles (
    key_hash CHAR(64) NOT NULL PRIMARY KEY,
    failures INT NOT NULL DEFAULT 0,
    last_failure_at DATETIME(6) NULL,
    next_attempt_at DATETIME(6) NULL,
    last_success_at DATETIME(6) NULL,
    updated_at DATETIME(6) NOT NULL,
    KEY idx_login_throttles_updated (updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;

-- +goose Down
ALTER TABLE users ADD COLUMN locked_until DATETIME(6) NULL;
ALTER TABLE users ADD COLUMN failed_logins INT NOT NULL DEFAULT 0;
ALTER TABLE users DROP COLUMN must_change_password;
DROP TABLE login_throttles;
