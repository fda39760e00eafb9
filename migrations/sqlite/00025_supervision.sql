-- +goose Up
-- Supervision (issue 15): see migrations/mysql/00025_supervision.sql.
CREATE TABLE supervision_targets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    year INTEGER NOT NULL,
    indicator TEXT NOT NULL,
    percent INTEGER NOT NULL,
    set_by INTEGER NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    CONSTRAINT ck_supervision_targets_percent CHECK (percent >= 0 AND percent <= 100),
    CONSTRAINT ck_supervision_targets_year CHECK (year >= 2000 AND year <= 2100)
);
CREATE UNIQUE INDEX uq_supervision_targets ON supervision_targets(org_id, year, indicator);

CREATE TABLE estate_party_facts (
    estate_id INTEGER NOT NULL PRIMARY KEY REFERENCES estates(id),
    has_party_org BOOLEAN NOT NULL DEFAULT 0,
    party_work_group BOOLEAN NOT NULL DEFAULT 0,
    recorded_on TEXT NOT NULL,
    recorded_by INTEGER NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);

CREATE INDEX ix_complaints_rates ON complaints(estate_id, received_at, cycle_started_at, responded_at, resolved_at);

-- +goose Down
DROP INDEX ix_complaints_rates;
DROP TABLE estate_party_facts;
DROP TABLE supervision_targets;
