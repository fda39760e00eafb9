-- +goose Up
-- Schema parity (issue 11, item 7): app/database/schema_parity_test.go compares the
-- schema each tree builds. It found two places where this SQLite tree had drifted
-- from the MySQL one, the MySQL tree being right in both (and one where the MySQL
-- tree had drifted: see migrations/mysql/00015_schema_parity.sql).
--
-- 1. login_throttles.key_hash was "TEXT PRIMARY KEY": SQLite, unlike every other
--    engine, lets a non-INTEGER primary key column hold NULL unless it is declared
--    NOT NULL (MySQL: CHAR(64) NOT NULL PRIMARY KEY). SQLite cannot change a column's
--    constraints in place, so the table is rebuilt. A row with a NULL key could never
--    be looked up (keys are SHA-256 hashes), so such a row, if any, is not carried over.
CREATE TABLE login_throttles_new (
    key_hash TEXT NOT NULL PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    last_failure_at DATETIME,
    next_attempt_at DATETIME,
    last_success_at DATETIME,
    updated_at DATETIME NOT NULL
);
INSERT INTO login_throttles_new (key_hash, failures, last_failure_at, next_attempt_at, last_success_at, updated_at)
    SELECT key_hash, failures, last_failure_at, next_attempt_at, last_success_at, updated_at
    FROM login_throttles WHERE key_hash IS NOT NULL;
DROP TABLE login_throttles;
ALTER TABLE login_throttles_new RENAME TO login_throttles;
CREATE INDEX idx_login_throttles_updated ON login_throttles(updated_at);

-- 2. orgs had an index on (parent_id) that the MySQL tree never had: it duplicates the
--    leading column of uq_orgs_parent_name (parent_id, name), which serves the same
--    lookups on both engines.
DROP INDEX idx_orgs_parent;

-- +goose Down
CREATE INDEX idx_orgs_parent ON orgs(parent_id);

CREATE TABLE login_throttles_old (
    key_hash TEXT PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    last_failure_at DATETIME,
    next_attempt_at DATETIME,
    last_success_at DATETIME,
    updated_at DATETIME NOT NULL
);
INSERT INTO login_throttles_old (key_hash, failures, last_failure_at, next_attempt_at, last_success_at, updated_at)
    SELECT key_hash, failures, last_failure_at, next_attempt_at, last_success_at, updated_at
    FROM login_throttles;
DROP TABLE login_throttles;
ALTER TABLE login_throttles_old RENAME TO login_throttles;
CREATE INDEX idx_login_throttles_updated ON login_throttles(updated_at);
