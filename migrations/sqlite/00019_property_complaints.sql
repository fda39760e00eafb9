-- +goose Up
-- Property companies, complaints and the exit check (issue 13): see migrations/mysql/00019_property_complaints.sql.

CREATE TABLE complaints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    company_id INTEGER NOT NULL REFERENCES property_companies(id),
    source TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    complainant_hash TEXT NOT NULL,
    complainant_mask TEXT NOT NULL DEFAULT '',
    received_at DATETIME NOT NULL,
    cycle INTEGER NOT NULL DEFAULT 1,
    cycle_started_at DATETIME NOT NULL,
    responded_at DATETIME NULL,
    first_result_at DATETIME NULL,
    resolved_at DATETIME NULL,
    verification TEXT NOT NULL DEFAULT '',
    verified_at DATETIME NULL,
    escalated_at DATETIME NULL,
    escalated_stages TEXT NOT NULL DEFAULT '',
    public_token_hash TEXT NULL,
    created_by INTEGER NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_complaints_public_token ON complaints(public_token_hash);
CREATE INDEX ix_complaints_estate_received ON complaints(estate_id, received_at);
CREATE INDEX ix_complaints_company_received ON complaints(company_id, received_at);

CREATE TABLE complaint_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    kind TEXT NOT NULL,
    at DATETIME NOT NULL,
    cycle INTEGER NOT NULL,
    note TEXT NOT NULL,
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_complaint_events_complaint ON complaint_events(complaint_id, at);

CREATE TABLE complaint_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    data BLOB NOT NULL,
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_complaint_attachments_complaint ON complaint_attachments(complaint_id);

CREATE TABLE rectification_orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    company_id INTEGER NOT NULL REFERENCES property_companies(id),
    ordered_at DATETIME NOT NULL,
    deadline_at DATETIME NOT NULL,
    body TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT '',
    outcome_at DATETIME NULL,
    created_by INTEGER NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX ix_rectification_orders_estate ON rectification_orders(estate_id, ordered_at);
CREATE INDEX ix_rectification_orders_company ON rectification_orders(company_id);

CREATE TABLE company_credit_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL REFERENCES property_companies(id),
    estate_id INTEGER NULL,
    kind TEXT NOT NULL,
    held_at DATETIME NOT NULL,
    body TEXT NOT NULL,
    created_by INTEGER NULL,
    created_by_org_id INTEGER NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_company_credit_entries_company ON company_credit_entries(company_id, held_at);

CREATE TABLE satisfaction_surveys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    company_id INTEGER NOT NULL REFERENCES property_companies(id),
    closed_at DATETIME NOT NULL,
    respondents INTEGER NOT NULL,
    satisfied INTEGER NOT NULL,
    source TEXT NOT NULL DEFAULT 'paper',
    vote_id INTEGER NULL,
    created_by INTEGER NULL,
    created_at DATETIME NOT NULL,
    CONSTRAINT ck_satisfaction_surveys_counts CHECK (respondents > 0 AND satisfied >= 0 AND satisfied <= respondents)
);
CREATE INDEX ix_satisfaction_surveys_estate ON satisfaction_surveys(estate_id, closed_at);

CREATE TABLE exit_cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    company_id INTEGER NOT NULL REFERENCES property_companies(id),
    raised_at DATETIME NOT NULL,
    evaluated_on TEXT NOT NULL,
    evidence TEXT NOT NULL,
    street_org_id INTEGER NOT NULL DEFAULT 0,
    district_org_id INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'open',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_exit_cases_estate_company ON exit_cases(estate_id, company_id);


-- +goose Down
DROP TABLE exit_cases;
DROP TABLE satisfaction_surveys;
DROP TABLE company_credit_entries;
DROP TABLE rectification_orders;
DROP TABLE complaint_attachments;
DROP TABLE complaint_events;
DROP TABLE complaints;
