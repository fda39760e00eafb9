-- +goose Up
-- Property companies, second half (issue 13): see migrations/mysql/00020_credit_handover.sql.
ALTER TABLE vote_items ADD COLUMN contract_id INTEGER NULL REFERENCES service_contracts(id);
ALTER TABLE vote_items ADD COLUMN company_id INTEGER NULL REFERENCES property_companies(id);
CREATE INDEX ix_vote_items_contract ON vote_items(contract_id);
CREATE INDEX ix_vote_items_company ON vote_items(company_id);

CREATE TABLE credit_grades (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL REFERENCES property_companies(id),
    district_id INTEGER NOT NULL REFERENCES orgs(id),
    grade TEXT NOT NULL,
    reasons TEXT NOT NULL,
    credit_entry_ref TEXT NOT NULL DEFAULT '',
    effective_on TEXT NOT NULL,
    set_by INTEGER NULL,
    set_by_name TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_credit_grades_company ON credit_grades(company_id, district_id, id);
CREATE INDEX ix_credit_grades_district ON credit_grades(district_id, id);

CREATE TABLE credit_list_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES orgs(id),
    company_id INTEGER NOT NULL REFERENCES property_companies(id),
    list_kind TEXT NOT NULL,
    listed_on TEXT NOT NULL,
    removed_on TEXT NULL,
    reasons TEXT NOT NULL,
    removal_reason TEXT NULL,
    set_by INTEGER NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    CONSTRAINT ck_credit_list_entries_kind CHECK (list_kind IN ('red','black'))
);
CREATE INDEX ix_credit_list_entries_district ON credit_list_entries(district_id, list_kind);
CREATE INDEX ix_credit_list_entries_company ON credit_list_entries(company_id);

CREATE TABLE credit_list_publications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id INTEGER NOT NULL REFERENCES orgs(id),
    month TEXT NOT NULL,
    version INTEGER NOT NULL,
    doc_number TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    pdf BLOB NOT NULL,
    red_count INTEGER NOT NULL,
    black_count INTEGER NOT NULL,
    published_by INTEGER NULL,
    published_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_credit_list_publications_month ON credit_list_publications(district_id, month, version);
CREATE UNIQUE INDEX uq_credit_list_publications_number ON credit_list_publications(doc_number);

CREATE TABLE contract_terminations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id INTEGER NOT NULL REFERENCES service_contracts(id),
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    company_id INTEGER NOT NULL REFERENCES property_companies(id),
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    item_key TEXT NOT NULL,
    origin TEXT NOT NULL,
    exit_case_ref INTEGER NULL,
    served_on TEXT NOT NULL,
    notice_days INTEGER NOT NULL,
    terminated_on TEXT NOT NULL,
    created_by INTEGER NULL,
    created_at DATETIME NOT NULL,
    CONSTRAINT ck_contract_terminations_origin CHECK (origin IN ('committee','exit_case'))
);
CREATE UNIQUE INDEX uq_contract_terminations_contract ON contract_terminations(contract_id);
CREATE INDEX ix_contract_terminations_estate ON contract_terminations(estate_id);
CREATE INDEX ix_contract_terminations_company ON contract_terminations(company_id);
CREATE INDEX ix_contract_terminations_vote ON contract_terminations(vote_id);

CREATE TABLE handovers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    termination_id INTEGER NOT NULL REFERENCES contract_terminations(id),
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    contract_id INTEGER NOT NULL,
    company_id INTEGER NOT NULL,
    receiver TEXT NOT NULL,
    receiver_name TEXT NOT NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL,
    refused_at DATETIME NULL,
    refusal_note TEXT NULL,
    completed_at DATETIME NULL,
    completed_by INTEGER NULL,
    signatures TEXT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    CONSTRAINT ck_handovers_receiver CHECK (receiver IN ('committee','new_company','owners','designee')),
    CONSTRAINT ck_handovers_status CHECK (status IN ('open','refused','completed'))
);
CREATE UNIQUE INDEX uq_handovers_termination ON handovers(termination_id);
CREATE INDEX ix_handovers_estate ON handovers(estate_id);

CREATE TABLE handover_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    handover_id INTEGER NOT NULL REFERENCES handovers(id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NULL,
    confirmed_party TEXT NULL,
    confirmer_name TEXT NULL,
    confirmed_at DATETIME NULL,
    recorded_by INTEGER NULL,
    CONSTRAINT ck_handover_items_status CHECK (status IN ('pending','handed','missing','disputed'))
);
CREATE UNIQUE INDEX uq_handover_items_position ON handover_items(handover_id, position);

CREATE TABLE handover_accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id INTEGER NOT NULL REFERENCES handover_items(id),
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    amount_fen INTEGER NOT NULL
);
CREATE UNIQUE INDEX uq_handover_accounts_position ON handover_accounts(item_id, position);

CREATE TABLE public_income_disclosures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    estate_id INTEGER NOT NULL REFERENCES estates(id),
    year INTEGER NOT NULL,
    income_fen INTEGER NOT NULL,
    spending_fen INTEGER NOT NULL,
    announcement_id INTEGER NULL,
    published_by INTEGER NULL,
    published_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_public_income_disclosures_year ON public_income_disclosures(estate_id, year);

CREATE TABLE public_income_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    disclosure_id INTEGER NOT NULL REFERENCES public_income_disclosures(id),
    position INTEGER NOT NULL,
    item TEXT NOT NULL,
    income_fen INTEGER NOT NULL,
    spending_fen INTEGER NOT NULL
);
CREATE UNIQUE INDEX uq_public_income_lines_position ON public_income_lines(disclosure_id, position);

-- +goose Down
DROP TABLE public_income_lines;
DROP TABLE public_income_disclosures;
DROP TABLE handover_accounts;
DROP TABLE handover_items;
DROP TABLE handovers;
DROP TABLE contract_terminations;
DROP TABLE credit_list_publications;
DROP TABLE credit_list_entries;
DROP TABLE credit_grades;
DROP INDEX ix_vote_items_company;
DROP INDEX ix_vote_items_contract;
ALTER TABLE vote_items DROP COLUMN company_id;
ALTER TABLE vote_items DROP COLUMN contract_id;
