-- +goose Up
-- Property service companies (issue 13): see migrations/mysql/00016_property_core.sql.
CREATE TABLE property_companies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    uscc TEXT NOT NULL,
    registered_by_org_id INTEGER NOT NULL REFERENCES orgs(id),
    created_by INTEGER NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_property_companies_uscc ON property_companies(uscc);

CREATE TABLE service_contracts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    company_id INTEGER NOT NULL REFERENCES property_companies(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    notice_days INTEGER NOT NULL DEFAULT 60,
    fee_standard TEXT NOT NULL DEFAULT '',
    scope TEXT NULL,
    filed_on TEXT NULL,
    filing_no TEXT NOT NULL DEFAULT '',
    terminated_on TEXT NULL,
    termination_vote_id INTEGER NULL,
    created_by INTEGER NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    CONSTRAINT ck_service_contracts_term CHECK (ends_on >= starts_on),
    CONSTRAINT ck_service_contracts_notice CHECK (notice_days >= 0)
);
CREATE INDEX ix_service_contracts_estate_term ON service_contracts(estate_id, starts_on, ends_on);
CREATE INDEX ix_service_contracts_company ON service_contracts(company_id);

CREATE TABLE project_managers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id INTEGER NOT NULL REFERENCES service_contracts(id),
    name TEXT NOT NULL,
    phone_enc TEXT NOT NULL DEFAULT '',
    phone_masked TEXT NOT NULL DEFAULT '',
    registered_on TEXT NOT NULL,
    left_on TEXT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX ix_project_managers_contract ON project_managers(contract_id);

-- +goose Down
DROP TABLE project_managers;
DROP TABLE service_contracts;
DROP TABLE property_companies;
