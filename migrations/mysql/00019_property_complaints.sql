-- +goose Up
-- Property companies (issue 13, first half): the complaints register on the 三三三
-- clock (seed 004 §(十三)), rectification orders, warning talks (约谈) and public
-- notices (通报) of the company's credit file, owner satisfaction surveys and the exit
-- cases raised when the exit trigger of seed 004 §(八) first holds. Complainants are
-- kept only as a keyed hash and a mask; public follow-up tokens only as SHA-256.
CREATE TABLE complaints (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    estate_id BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    source VARCHAR(16) NOT NULL,
    category VARCHAR(32) NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    complainant_hash VARCHAR(64) NOT NULL,
    complainant_mask VARCHAR(32) NOT NULL DEFAULT '',
    received_at DATETIME(6) NOT NULL,
    cycle INT NOT NULL DEFAULT 1,
    cycle_started_at DATETIME(6) NOT NULL,
    responded_at DATETIME(6) NULL,
    first_result_at DATETIME(6) NULL,
    resolved_at DATETIME(6) NULL,
    verification VARCHAR(16) NOT NULL DEFAULT '',
    verified_at DATETIME(6) NULL,
    escalated_at DATETIME(6) NULL,
    escalated_stages VARCHAR(64) NOT NULL DEFAULT '',
    public_token_hash VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    created_by BIGINT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_complaints_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT fk_complaints_company FOREIGN KEY (company_id) REFERENCES property_companies(id),
    UNIQUE KEY uq_complaints_public_token (public_token_hash),
    KEY ix_complaints_estate_received (estate_id, received_at),
    KEY ix_complaints_company_received (company_id, received_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE complaint_events (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    complaint_id BIGINT NOT NULL,
    kind VARCHAR(16) NOT NULL,
    at DATETIME(6) NOT NULL,
    cycle INT NOT NULL,
    note TEXT NOT NULL,
    created_by_name VARCHAR(64) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_complaint_events_complaint FOREIGN KEY (complaint_id) REFERENCES complaints(id),
    KEY ix_complaint_events_complaint (complaint_id, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE complaint_attachments (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    complaint_id BIGINT NOT NULL,
    filename VARCHAR(255) NOT NULL,
    content_type VARCHAR(100) NOT NULL,
    size_bytes INT NOT NULL,
    data LONGBLOB NOT NULL,
    created_by_name VARCHAR(64) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_complaint_attachments_complaint FOREIGN KEY (complaint_id) REFERENCES complaints(id),
    KEY ix_complaint_attachments_complaint (complaint_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE rectification_orders (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    estate_id BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    ordered_at DATETIME(6) NOT NULL,
    deadline_at DATETIME(6) NOT NULL,
    body TEXT NOT NULL,
    outcome VARCHAR(16) NOT NULL DEFAULT '',
    outcome_at DATETIME(6) NULL,
    created_by BIGINT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_rectification_orders_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT fk_rectification_orders_company FOREIGN KEY (company_id) REFERENCES property_companies(id),
    KEY ix_rectification_orders_estate (estate_id, ordered_at),
    KEY ix_rectification_orders_company (company_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE company_credit_entries (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    company_id BIGINT NOT NULL,
    estate_id BIGINT NULL,
    kind VARCHAR(16) NOT NULL,
    held_at DATETIME(6) NOT NULL,
    body TEXT NOT NULL,
    created_by BIGINT NULL,
    created_by_org_id BIGINT NOT NULL DEFAULT 0,
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_company_credit_entries_company FOREIGN KEY (company_id) REFERENCES property_companies(id),
    KEY ix_company_credit_entries_company (company_id, held_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE satisfaction_surveys (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    estate_id BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    closed_at DATETIME(6) NOT NULL,
    respondents INT NOT NULL,
    satisfied INT NOT NULL,
    source VARCHAR(16) NOT NULL DEFAULT 'paper',
    vote_id BIGINT NULL,
    created_by BIGINT NULL,
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_satisfaction_surveys_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT fk_satisfaction_surveys_company FOREIGN KEY (company_id) REFERENCES property_companies(id),
    CONSTRAINT ck_satisfaction_surveys_counts CHECK (respondents > 0 AND satisfied >= 0 AND satisfied <= respondents),
    KEY ix_satisfaction_surveys_estate (estate_id, closed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE exit_cases (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    estate_id BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    raised_at DATETIME(6) NOT NULL,
    evaluated_on CHAR(10) NOT NULL,
    evidence TEXT NOT NULL,
    street_org_id BIGINT NOT NULL DEFAULT 0,
    district_org_id BIGINT NOT NULL DEFAULT 0,
    status VARCHAR(16) NOT NULL DEFAULT 'open',
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_exit_cases_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT fk_exit_cases_company FOREIGN KEY (company_id) REFERENCES property_companies(id),
    UNIQUE KEY uq_exit_cases_estate_company (estate_id, company_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE exit_cases;
DROP TABLE satisfaction_surveys;
DROP TABLE company_credit_entries;
DROP TABLE rectification_orders;
DROP TABLE complaint_attachments;
DROP TABLE complaint_events;
DROP TABLE complaints;
