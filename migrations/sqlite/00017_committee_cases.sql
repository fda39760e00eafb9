-- +goose Up
-- The committee in office (issue 12): negative-list and cessation cases against committee
-- members, their timeline and evidence, changes of members with their filing, suspension
-- of members, the re-election flag, and the removal item of an assembly vote.
-- See migrations/mysql/00017_committee_cases.sql for the column notes.
CREATE TABLE committee_cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    member_id INTEGER NOT NULL REFERENCES committee_members(id),
    kind TEXT NOT NULL CHECK (kind IN ('removal','cessation')),
    grounds TEXT NOT NULL DEFAULT '',
    cessation_reason TEXT NOT NULL DEFAULT '',
    facts TEXT NOT NULL,
    reporter_kind TEXT NOT NULL CHECK (reporter_kind IN ('owner','member','community','street','public','roster')),
    reporter_name TEXT NOT NULL DEFAULT '',
    reporter_hash TEXT NOT NULL DEFAULT '',
    reporter_mask TEXT NOT NULL DEFAULT '',
    reported_at DATETIME NOT NULL,
    reported_by TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    verify_due DATETIME,
    verified_at DATETIME,
    verified_by TEXT NOT NULL DEFAULT '',
    verification_reasons TEXT NOT NULL DEFAULT '',
    suspended_at DATETIME,
    suspension_doc_id INTEGER,
    defence_due DATETIME,
    defence TEXT NOT NULL DEFAULT '',
    defence_at DATETIME,
    propose_due DATETIME,
    proposed_at DATETIME,
    proposed_by TEXT NOT NULL DEFAULT '',
    ordered_at DATETIME,
    ordered_by TEXT NOT NULL DEFAULT '',
    order_text TEXT NOT NULL DEFAULT '',
    removal_vote_id INTEGER,
    outcome TEXT NOT NULL DEFAULT '',
    outcome_at DATETIME,
    outcome_doc_id INTEGER,
    effective_on TEXT,
    confirmed_at DATETIME,
    confirmed_by TEXT NOT NULL DEFAULT '',
    closed_at DATETIME,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX idx_committee_cases_committee ON committee_cases(committee_id, status);
CREATE INDEX idx_committee_cases_member ON committee_cases(member_id);
CREATE INDEX idx_committee_cases_estate ON committee_cases(estate_id, status);

CREATE TABLE committee_case_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES committee_cases(id),
    kind TEXT NOT NULL,
    at DATETIME NOT NULL,
    by_name TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    document_id INTEGER,
    created_at DATETIME NOT NULL
);
CREATE INDEX idx_committee_case_events_case ON committee_case_events(case_id, at);

CREATE TABLE committee_case_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES committee_cases(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL DEFAULT '',
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    data BLOB NOT NULL,
    uploaded_by TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE INDEX idx_committee_case_files_case ON committee_case_files(case_id);

CREATE TABLE committee_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    case_id INTEGER,
    member_id INTEGER NOT NULL REFERENCES committee_members(id),
    kind TEXT NOT NULL CHECK (kind IN ('ended','seated')),
    at DATETIME NOT NULL,
    document_id INTEGER,
    filing_due DATETIME NOT NULL,
    filing_id INTEGER,
    created_at DATETIME NOT NULL
);
CREATE INDEX idx_committee_changes_committee ON committee_changes(committee_id);

ALTER TABLE committee_members ADD COLUMN suspended_at DATETIME;
ALTER TABLE committee_members ADD COLUMN suspended_case_id INTEGER;
ALTER TABLE committee_members ADD COLUMN end_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE committee_members ADD COLUMN seated_at DATETIME;
ALTER TABLE committees ADD COLUMN reelection_required_at DATETIME;
ALTER TABLE vote_items ADD COLUMN removal_case_id INTEGER;

-- +goose Down
ALTER TABLE vote_items DROP COLUMN removal_case_id;
ALTER TABLE committees DROP COLUMN reelection_required_at;
ALTER TABLE committee_members DROP COLUMN seated_at;
ALTER TABLE committee_members DROP COLUMN end_reason;
ALTER TABLE committee_members DROP COLUMN suspended_case_id;
ALTER TABLE committee_members DROP COLUMN suspended_at;
DROP TABLE committee_changes;
DROP TABLE committee_case_files;
DROP TABLE committee_case_events;
DROP TABLE committee_cases;
