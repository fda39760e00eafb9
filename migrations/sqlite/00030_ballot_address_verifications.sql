-- +goose Up
-- Issue 14, completed (h14); see migrations/mysql/00030_ballot_address_verifications.sql.
-- 1. ballots.client_hash: a keyed hash (app/pii subkey "ballot-client") of the
--    client address an online ballot came from; NULL for paper/proxy ballots and for
--    ballots cast before this migration. Never the address itself.
ALTER TABLE ballots ADD COLUMN client_hash TEXT NULL;
CREATE INDEX idx_ballots_client ON ballots(vote_id, client_hash);

-- 2. audit_verifications: runs of the offline verifier from the auditor's workspace.
CREATE TABLE audit_verifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    ok BOOLEAN NOT NULL,
    summary TEXT NOT NULL,
    with_pdf BOOLEAN NOT NULL,
    bundle_sha256 TEXT NOT NULL,
    run_by INTEGER NULL,
    run_by_name TEXT NOT NULL DEFAULT '',
    run_at DATETIME NOT NULL
);
CREATE INDEX idx_audit_verifications_vote ON audit_verifications(vote_id, run_at);

-- +goose Down
DROP TABLE audit_verifications;
DROP INDEX idx_ballots_client;
ALTER TABLE ballots DROP COLUMN client_hash;
