-- +goose Up
-- Property companies, second half (issue 13): credit grades and red/black lists per
-- district (seed 004 §(七), §(十四)), dismissal of a company by an assembly vote and its
-- termination notice (CC 946), the handover checklist (CC 949, REG 38) and the annual
-- public-income disclosure (seed 004 §(六)). Dates are civil dates in Shanghai as
-- CHAR(10) "YYYY-MM-DD"; money is integer fen (BIGINT), never a float.

-- A hire_dismiss_manager item names the contract it dismisses or the company it hires.
ALTER TABLE vote_items ADD COLUMN contract_id BIGINT NULL;
ALTER TABLE vote_items ADD COLUMN company_id BIGINT NULL;
ALTER TABLE vote_items ADD CONSTRAINT fk_vote_items_contract FOREIGN KEY (contract_id) REFERENCES service_contracts(id);
ALTER TABLE vote_items ADD CONSTRAINT fk_vote_items_company FOREIGN KEY (company_id) REFERENCES property_companies(id);
CREATE INDEX ix_vote_items_contract ON vote_items(contract_id);
CREATE INDEX ix_vote_items_company ON vote_items(company_id);

-- A credit grade set by a district (its housing authority) for a company, with reasons;
-- the newest row of a (company, district) is the grade in force. Never updated.
CREATE TABLE credit_grades (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    company_id BIGINT NOT NULL,
    district_id BIGINT NOT NULL,
    grade VARCHAR(8) NOT NULL,
    reasons TEXT NOT NULL,
    credit_entry_ref VARCHAR(191) NOT NULL DEFAULT '',
    effective_on CHAR(10) NOT NULL,
    set_by BIGINT NULL,
    set_by_name VARCHAR(64) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_credit_grades_company FOREIGN KEY (company_id) REFERENCES property_companies(id),
    CONSTRAINT fk_credit_grades_district FOREIGN KEY (district_id) REFERENCES orgs(id),
    KEY ix_credit_grades_company (company_id, district_id, id),
    KEY ix_credit_grades_district (district_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A company on a district's red (commended) or black list from listed_on until removed_on.
CREATE TABLE credit_list_entries (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    district_id BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    list_kind VARCHAR(8) NOT NULL,
    listed_on CHAR(10) NOT NULL,
    removed_on CHAR(10) NULL,
    reasons TEXT NOT NULL,
    removal_reason TEXT NULL,
    set_by BIGINT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_credit_list_entries_company FOREIGN KEY (company_id) REFERENCES property_companies(id),
    CONSTRAINT fk_credit_list_entries_district FOREIGN KEY (district_id) REFERENCES orgs(id),
    CONSTRAINT ck_credit_list_entries_kind CHECK (list_kind IN ('red','black')),
    KEY ix_credit_list_entries_district (district_id, list_kind),
    KEY ix_credit_list_entries_company (company_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A district's monthly publication of its lists: the rendered PDF, numbered and hashed
-- so anyone can verify a printed copy (the documents table needs an estate).
CREATE TABLE credit_list_publications (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    district_id BIGINT NOT NULL,
    month CHAR(7) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    version INT NOT NULL,
    doc_number VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    sha256 CHAR(64) NOT NULL,
    size_bytes BIGINT NOT NULL,
    pdf LONGBLOB NOT NULL,
    red_count INT NOT NULL,
    black_count INT NOT NULL,
    published_by BIGINT NULL,
    published_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_credit_list_publications_district FOREIGN KEY (district_id) REFERENCES orgs(id),
    UNIQUE KEY uq_credit_list_publications_month (district_id, month, version),
    UNIQUE KEY uq_credit_list_publications_number (doc_number)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The termination of a service contract by a final assembly vote (CC 946): one per contract.
CREATE TABLE contract_terminations (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    contract_id BIGINT NOT NULL,
    estate_id BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    vote_id BIGINT NOT NULL,
    item_key VARCHAR(64) NOT NULL,
    origin VARCHAR(16) NOT NULL,
    exit_case_ref BIGINT NULL,
    served_on CHAR(10) NOT NULL,
    notice_days INT NOT NULL,
    terminated_on CHAR(10) NOT NULL,
    created_by BIGINT NULL,
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_contract_terminations_contract FOREIGN KEY (contract_id) REFERENCES service_contracts(id),
    CONSTRAINT fk_contract_terminations_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT fk_contract_terminations_company FOREIGN KEY (company_id) REFERENCES property_companies(id),
    CONSTRAINT fk_contract_terminations_vote FOREIGN KEY (vote_id) REFERENCES votes(id),
    CONSTRAINT ck_contract_terminations_origin CHECK (origin IN ('committee','exit_case')),
    UNIQUE KEY uq_contract_terminations_contract (contract_id),
    KEY ix_contract_terminations_estate (estate_id),
    KEY ix_contract_terminations_company (company_id),
    KEY ix_contract_terminations_vote (vote_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The handover after a termination (CC 949, REG 38): one per termination.
CREATE TABLE handovers (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    termination_id BIGINT NOT NULL,
    estate_id BIGINT NOT NULL,
    contract_id BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    receiver VARCHAR(16) NOT NULL,
    receiver_name VARCHAR(191) NOT NULL,
    due_on CHAR(10) NOT NULL,
    status VARCHAR(16) NOT NULL,
    refused_at DATETIME(6) NULL,
    refusal_note TEXT NULL,
    completed_at DATETIME(6) NULL,
    completed_by BIGINT NULL,
    signatures TEXT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_handovers_termination FOREIGN KEY (termination_id) REFERENCES contract_terminations(id),
    CONSTRAINT fk_handovers_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT ck_handovers_receiver CHECK (receiver IN ('committee','new_company','owners','designee')),
    CONSTRAINT ck_handovers_status CHECK (status IN ('open','refused','completed')),
    UNIQUE KEY uq_handovers_termination (termination_id),
    KEY ix_handovers_estate (estate_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One line of the handover checklist.
CREATE TABLE handover_items (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    handover_id BIGINT NOT NULL,
    position INT NOT NULL,
    kind VARCHAR(32) NOT NULL,
    label VARCHAR(191) NOT NULL,
    status VARCHAR(16) NOT NULL,
    note TEXT NULL,
    confirmed_party VARCHAR(16) NULL,
    confirmer_name VARCHAR(64) NULL,
    confirmed_at DATETIME(6) NULL,
    recorded_by BIGINT NULL,
    CONSTRAINT fk_handover_items_handover FOREIGN KEY (handover_id) REFERENCES handovers(id),
    CONSTRAINT ck_handover_items_status CHECK (status IN ('pending','handed','missing','disputed')),
    UNIQUE KEY uq_handover_items_position (handover_id, position)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Itemised account lines of a money item (prepaid fees, public income), in fen.
CREATE TABLE handover_accounts (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    item_id BIGINT NOT NULL,
    position INT NOT NULL,
    label VARCHAR(191) NOT NULL,
    amount_fen BIGINT NOT NULL,
    CONSTRAINT fk_handover_accounts_item FOREIGN KEY (item_id) REFERENCES handover_items(id),
    UNIQUE KEY uq_handover_accounts_position (item_id, position)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The committee's yearly disclosure of public income and spending (seed 004 §(六)).
CREATE TABLE public_income_disclosures (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    estate_id BIGINT NOT NULL,
    year INT NOT NULL,
    income_fen BIGINT NOT NULL,
    spending_fen BIGINT NOT NULL,
    announcement_id BIGINT NULL,
    published_by BIGINT NULL,
    published_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_public_income_disclosures_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    UNIQUE KEY uq_public_income_disclosures_year (estate_id, year)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE public_income_lines (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    disclosure_id BIGINT NOT NULL,
    position INT NOT NULL,
    item VARCHAR(191) NOT NULL,
    income_fen BIGINT NOT NULL,
    spending_fen BIGINT NOT NULL,
    CONSTRAINT fk_public_income_lines_disclosure FOREIGN KEY (disclosure_id) REFERENCES public_income_disclosures(id),
    UNIQUE KEY uq_public_income_lines_position (disclosure_id, position)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

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
ALTER TABLE vote_items DROP FOREIGN KEY fk_vote_items_company;
ALTER TABLE vote_items DROP FOREIGN KEY fk_vote_items_contract;
DROP INDEX ix_vote_items_company ON vote_items;
DROP INDEX ix_vote_items_contract ON vote_items;
ALTER TABLE vote_items DROP COLUMN company_id;
ALTER TABLE vote_items DROP COLUMN contract_id;
