-- +goose Up
-- Supervision (issue 15): the targets a district (or the city) sets per year for each
-- rate, and the Party facts the community records per estate (seed 002: Party
-- organisation coverage; seed 003: the committee's Party work group). Percent is an
-- integer 0..100. One row per estate for the Party facts.
CREATE TABLE supervision_targets (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    org_id BIGINT NOT NULL,
    year INT NOT NULL,
    indicator VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    percent INT NOT NULL,
    set_by BIGINT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_supervision_targets_org FOREIGN KEY (org_id) REFERENCES orgs(id),
    CONSTRAINT ck_supervision_targets_percent CHECK (percent >= 0 AND percent <= 100),
    CONSTRAINT ck_supervision_targets_year CHECK (year >= 2000 AND year <= 2100),
    UNIQUE KEY uq_supervision_targets (org_id, year, indicator)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE estate_party_facts (
    estate_id BIGINT NOT NULL PRIMARY KEY,
    has_party_org BOOLEAN NOT NULL DEFAULT FALSE,
    party_work_group BOOLEAN NOT NULL DEFAULT FALSE,
    recorded_on CHAR(10) NOT NULL,
    recorded_by BIGINT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_estate_party_facts_estate FOREIGN KEY (estate_id) REFERENCES estates(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The complaint rates read this year's complaints of each estate in scope: a covering
-- index (estate, receipt, then the clock's instants) so no table row is read.
CREATE INDEX ix_complaints_rates ON complaints(estate_id, received_at, cycle_started_at, responded_at, resolved_at);

-- +goose Down
DROP INDEX ix_complaints_rates ON complaints;
DROP TABLE estate_party_facts;
DROP TABLE supervision_targets;
