-- +goose Up
-- Dates are civil dates in Shanghai as CHAR(10) "YYYY-MM-DD" (as holiday_calendar_days).
-- Property service companies (issue 13): the company, its service contracts per
-- estate (filed with the housing authority) and its project managers' registration
-- with the street office and community (seed 004 §(二)). An estate's company on a
-- date is the company of the contract whose term covers that date; the service
-- rejects overlapping terms for one estate.
CREATE TABLE property_companies (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(191) NOT NULL,
    uscc VARCHAR(18) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    registered_by_org_id BIGINT NOT NULL,
    created_by BIGINT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_property_companies_org FOREIGN KEY (registered_by_org_id) REFERENCES orgs(id),
    UNIQUE KEY uq_property_companies_uscc (uscc)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE service_contracts (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    estate_id BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    starts_on CHAR(10) NOT NULL,
    ends_on CHAR(10) NOT NULL,
    notice_days INT NOT NULL DEFAULT 60,
    fee_standard VARCHAR(255) NOT NULL DEFAULT '',
    scope TEXT NULL,
    filed_on CHAR(10) NULL,
    filing_no VARCHAR(64) NOT NULL DEFAULT '',
    terminated_on CHAR(10) NULL,
    termination_vote_id BIGINT NULL,
    created_by BIGINT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_service_contracts_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT fk_service_contracts_company FOREIGN KEY (company_id) REFERENCES property_companies(id),
    CONSTRAINT ck_service_contracts_term CHECK (ends_on >= starts_on),
    CONSTRAINT ck_service_contracts_notice CHECK (notice_days >= 0),
    KEY ix_service_contracts_estate_term (estate_id, starts_on, ends_on),
    KEY ix_service_contracts_company (company_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE project_managers (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    contract_id BIGINT NOT NULL,
    name VARCHAR(64) NOT NULL,
    phone_enc VARCHAR(255) NOT NULL DEFAULT '',
    phone_masked VARCHAR(32) NOT NULL DEFAULT '',
    registered_on CHAR(10) NOT NULL,
    left_on CHAR(10) NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_project_managers_contract FOREIGN KEY (contract_id) REFERENCES service_contracts(id),
    KEY ix_project_managers_contract (contract_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE project_managers;
DROP TABLE service_contracts;
DROP TABLE property_companies;
