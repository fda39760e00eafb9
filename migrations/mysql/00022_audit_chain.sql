-- +goose Up
-- Issue 14, the auditor's half (docs/audit.md).
--
-- 1. The staff audit log becomes a hash chain: every row carries its place in the
--    chain (seq, 1, 2, 3, ... without gaps), the hash of the row before it and its own
--    hash, SHA-256 over the canonical encoding of docs/audit.md. Rows written before
--    this migration get seq = id here and are renumbered and hashed once, at start,
--    by audit.Backfill (SQLite has no SHA-256 in SQL); the triggers below let an
--    UPDATE through only while a row has no hash yet.
-- 2. audit_chain is the one head row appends lock (FOR UPDATE), so two transactions
--    appending at once cannot fork the chain.
-- 3. audit_heads are signed heads of the chain (Ed25519), append-only as well.
-- 4. paper_audits / paper_audit_items: sampled paper-ballot audits with their seed.
-- 5. audit_recounts: recounts run from the auditor's workspace, kept.
ALTER TABLE audit_logs
    ADD COLUMN seq BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN prev_hash CHAR(64) NOT NULL DEFAULT '',
    ADD COLUMN hash CHAR(64) NOT NULL DEFAULT '';
UPDATE audit_logs SET seq = id;
CREATE UNIQUE INDEX uq_audit_logs_seq ON audit_logs(seq);

CREATE TABLE audit_chain (
    id INT NOT NULL PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash CHAR(64) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO audit_chain (id, seq, hash) VALUES (1, 0, '');

CREATE TABLE audit_heads (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash CHAR(64) NOT NULL,
    signed_at DATETIME(6) NOT NULL,
    public_key CHAR(64) NOT NULL,
    signature CHAR(128) NOT NULL,
    KEY idx_audit_heads_seq (seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE paper_audits (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    vote_id BIGINT NOT NULL,
    seed VARCHAR(128) NOT NULL,
    population INT NOT NULL,
    sample_size INT NOT NULL,
    drawn_by BIGINT NULL,
    drawn_by_name VARCHAR(64) NOT NULL DEFAULT '',
    drawn_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_paper_audits_vote FOREIGN KEY (vote_id) REFERENCES votes(id),
    KEY idx_paper_audits_vote (vote_id, drawn_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE paper_audit_items (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    paper_audit_id BIGINT NOT NULL,
    vote_id BIGINT NOT NULL,
    ballot_id BIGINT NOT NULL,
    position INT NOT NULL,
    outcome VARCHAR(16) NOT NULL DEFAULT '',
    note VARCHAR(500) NOT NULL DEFAULT '',
    checked_by BIGINT NULL,
    checked_by_name VARCHAR(64) NOT NULL DEFAULT '',
    checked_at DATETIME(6) NULL,
    CONSTRAINT fk_paper_audit_items_audit FOREIGN KEY (paper_audit_id) REFERENCES paper_audits(id),
    CONSTRAINT fk_paper_audit_items_ballot FOREIGN KEY (ballot_id) REFERENCES ballots(id),
    CONSTRAINT ck_paper_audit_items_outcome CHECK (outcome IN ('', 'match', 'discrepancy')),
    UNIQUE KEY uq_paper_audit_items_position (paper_audit_id, position),
    UNIQUE KEY uq_paper_audit_items_ballot (paper_audit_id, ballot_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE audit_recounts (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    vote_id BIGINT NOT NULL,
    matches BOOLEAN NOT NULL,
    stored_sha256 CHAR(64) NOT NULL DEFAULT '',
    recount_sha256 CHAR(64) NOT NULL,
    result_json LONGTEXT NOT NULL,
    run_by BIGINT NULL,
    run_by_name VARCHAR(64) NOT NULL DEFAULT '',
    run_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_audit_recounts_vote FOREIGN KEY (vote_id) REFERENCES votes(id),
    KEY idx_audit_recounts_vote (vote_id, run_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose StatementBegin
CREATE TRIGGER audit_logs_no_update BEFORE UPDATE ON audit_logs FOR EACH ROW
BEGIN
    IF OLD.hash <> '' THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_logs is append-only';
    END IF;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_logs_no_delete BEFORE DELETE ON audit_logs FOR EACH ROW
BEGIN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_logs is append-only';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_heads_no_update BEFORE UPDATE ON audit_heads FOR EACH ROW
BEGIN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_heads is append-only';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_heads_no_delete BEFORE DELETE ON audit_heads FOR EACH ROW
BEGIN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_heads is append-only';
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER IF EXISTS audit_heads_no_delete;
DROP TRIGGER IF EXISTS audit_heads_no_update;
DROP TRIGGER IF EXISTS audit_logs_no_delete;
DROP TRIGGER IF EXISTS audit_logs_no_update;
DROP TABLE audit_recounts;
DROP TABLE paper_audit_items;
DROP TABLE paper_audits;
DROP TABLE audit_heads;
DROP TABLE audit_chain;
DROP INDEX uq_audit_logs_seq ON audit_logs;
ALTER TABLE audit_logs DROP COLUMN hash, DROP COLUMN prev_hash, DROP COLUMN seq;
