-- +goose Up
-- Issue 14, the auditor's half: see migrations/mysql/00022_audit_chain.sql and docs/audit.md.
ALTER TABLE audit_logs ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_logs ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_logs ADD COLUMN hash TEXT NOT NULL DEFAULT '';
UPDATE audit_logs SET seq = id;
CREATE UNIQUE INDEX uq_audit_logs_seq ON audit_logs(seq);

CREATE TABLE audit_chain (
    id INTEGER NOT NULL PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL DEFAULT ''
);
INSERT INTO audit_chain (id, seq, hash) VALUES (1, 0, '');

CREATE TABLE audit_heads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    signed_at DATETIME NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE INDEX idx_audit_heads_seq ON audit_heads(seq);

CREATE TABLE paper_audits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    seed TEXT NOT NULL,
    population INTEGER NOT NULL,
    sample_size INTEGER NOT NULL,
    drawn_by INTEGER NULL,
    drawn_by_name TEXT NOT NULL DEFAULT '',
    drawn_at DATETIME NOT NULL
);
CREATE INDEX idx_paper_audits_vote ON paper_audits(vote_id, drawn_at);

CREATE TABLE paper_audit_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    paper_audit_id INTEGER NOT NULL REFERENCES paper_audits(id),
    vote_id INTEGER NOT NULL,
    ballot_id INTEGER NOT NULL REFERENCES ballots(id),
    position INTEGER NOT NULL,
    outcome TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    checked_by INTEGER NULL,
    checked_by_name TEXT NOT NULL DEFAULT '',
    checked_at DATETIME NULL,
    CONSTRAINT ck_paper_audit_items_outcome CHECK (outcome IN ('', 'match', 'discrepancy'))
);
CREATE UNIQUE INDEX uq_paper_audit_items_position ON paper_audit_items(paper_audit_id, position);
CREATE UNIQUE INDEX uq_paper_audit_items_ballot ON paper_audit_items(paper_audit_id, ballot_id);

CREATE TABLE audit_recounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    matches BOOLEAN NOT NULL,
    stored_sha256 TEXT NOT NULL DEFAULT '',
    recount_sha256 TEXT NOT NULL,
    result_json TEXT NOT NULL,
    run_by INTEGER NULL,
    run_by_name TEXT NOT NULL DEFAULT '',
    run_at DATETIME NOT NULL
);
CREATE INDEX idx_audit_recounts_vote ON audit_recounts(vote_id, run_at);

-- +goose StatementBegin
CREATE TRIGGER audit_logs_no_update BEFORE UPDATE ON audit_logs WHEN OLD.hash <> ''
BEGIN
    SELECT RAISE(ABORT, 'audit_logs is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_logs_no_delete BEFORE DELETE ON audit_logs
BEGIN
    SELECT RAISE(ABORT, 'audit_logs is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_heads_no_update BEFORE UPDATE ON audit_heads
BEGIN
    SELECT RAISE(ABORT, 'audit_heads is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_heads_no_delete BEFORE DELETE ON audit_heads
BEGIN
    SELECT RAISE(ABORT, 'audit_heads is append-only');
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
DROP INDEX uq_audit_logs_seq;
ALTER TABLE audit_logs DROP COLUMN hash;
ALTER TABLE audit_logs DROP COLUMN prev_hash;
ALTER TABLE audit_logs DROP COLUMN seq;
