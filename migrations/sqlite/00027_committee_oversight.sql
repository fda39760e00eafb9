-- +goose Up
-- Committee oversight (seed 003 §(六)): the owner representatives' ratings of the
-- committee, the street office's rectification orders, and revoked committee decisions.
-- See migrations/mysql/00027_committee_oversight.sql for the column notes.
CREATE TABLE committee_ratings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    period TEXT NOT NULL,
    rated_on TEXT NOT NULL,
    raters INTEGER NOT NULL,
    satisfied INTEGER NOT NULL,
    basic INTEGER NOT NULL,
    dissatisfied INTEGER NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    CHECK (raters > 0 AND satisfied >= 0 AND basic >= 0 AND dissatisfied >= 0 AND satisfied + basic + dissatisfied = raters)
);
CREATE UNIQUE INDEX uq_committee_ratings_period ON committee_ratings (committee_id, period);
CREATE INDEX idx_committee_ratings_estate ON committee_ratings (estate_id, rated_on);
CREATE TABLE committee_rectifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    minutes_id INTEGER REFERENCES minutes(id),
    decision_index INTEGER,
    matters TEXT NOT NULL,
    basis TEXT NOT NULL DEFAULT '',
    issued_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    issued_by TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('open','rectified','not_rectified')),
    outcome TEXT NOT NULL DEFAULT '',
    outcome_on TEXT,
    outcome_by TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX idx_committee_rectifications_committee ON committee_rectifications (committee_id, status);
CREATE INDEX idx_committee_rectifications_due ON committee_rectifications (estate_id, status, due_on);
CREATE TABLE committee_revocations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    rectification_id INTEGER NOT NULL REFERENCES committee_rectifications(id),
    minutes_id INTEGER NOT NULL REFERENCES minutes(id),
    decision_index INTEGER NOT NULL,
    decision_text TEXT NOT NULL,
    grounds TEXT NOT NULL,
    basis TEXT NOT NULL DEFAULT '',
    revoked_on TEXT NOT NULL,
    revoked_by TEXT NOT NULL DEFAULT '',
    document_id INTEGER,
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_committee_revocations_decision ON committee_revocations (minutes_id, decision_index);
CREATE INDEX idx_committee_revocations_committee ON committee_revocations (committee_id);

-- +goose Down
DROP TABLE committee_revocations;
DROP TABLE committee_rectifications;
DROP TABLE committee_ratings;
