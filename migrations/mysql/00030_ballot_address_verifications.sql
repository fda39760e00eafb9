-- +goose Up
-- Issue 14, completed (h14).
-- 1. ballots.client_hash: a keyed hash (HMAC-SHA256 with the app/pii subkey
--    "ballot-client", hex) of the client address an online ballot came from (IPv6
--    by its /64), written by the cast's own INSERT; NULL for paper and proxy ballots
--    and for ballots cast before this migration. Never the address itself. The
--    auditor's workspace groups by it (flag "many ballots from one address").
-- 2. audit_verifications: runs of the offline verifier (app/ballotlog.Verify) from
--    the auditor's workspace, kept: when, by whom, OK or the first mismatch.
ALTER TABLE ballots ADD COLUMN client_hash CHAR(64) NULL;
CREATE INDEX idx_ballots_client ON ballots(vote_id, client_hash);

CREATE TABLE audit_verifications (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    vote_id BIGINT NOT NULL,
    ok BOOLEAN NOT NULL,
    summary TEXT NOT NULL,
    with_pdf BOOLEAN NOT NULL,
    bundle_sha256 CHAR(64) NOT NULL,
    run_by BIGINT NULL,
    run_by_name VARCHAR(200) NOT NULL DEFAULT '',
    run_at DATETIME(6) NOT NULL,
    KEY idx_audit_verifications_vote (vote_id, run_at),
    CONSTRAINT fk_audit_verifications_vote FOREIGN KEY (vote_id) REFERENCES votes(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE audit_verifications;
DROP INDEX idx_ballots_client ON ballots;
ALTER TABLE ballots DROP COLUMN client_hash;
