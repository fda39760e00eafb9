-- +goose Up
-- The committee in office (issue 12). committee_cases: one case against one committee
-- member, either a negative-list removal case (grounds: N1-N12, absence, ineligible;
-- comma separated) or an automatic cessation (BJ 46 ¶1, HZ 32). The reporter of a public
-- report is kept only as a keyed hash and a mask. Each step has its date and who took it;
-- deadlines (verify_due, defence_due, propose_due) come from the profile's defaults.
-- committee_case_events is the timeline, committee_case_files the evidence.
-- committee_changes: every member who ends or is seated from the alternates, with the
-- notice and the change filing due within 30 days (BJ 50). committee_members gains the
-- suspension (a suspended member stays a member), the reason it ended and when an
-- alternate was seated; committees gain the re-election flag (BJ 48); vote_items gain the
-- removal case an elect_committee item decides.
CREATE TABLE committee_cases (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    committee_id BIGINT NOT NULL,
    estate_id BIGINT NOT NULL,
    member_id BIGINT NOT NULL,
    kind VARCHAR(16) NOT NULL,
    grounds VARCHAR(255) NOT NULL DEFAULT '',
    cessation_reason VARCHAR(32) NOT NULL DEFAULT '',
    facts TEXT NOT NULL,
    reporter_kind VARCHAR(16) NOT NULL,
    reporter_name VARCHAR(191) NOT NULL DEFAULT '',
    reporter_hash VARCHAR(128) NOT NULL DEFAULT '',
    reporter_mask VARCHAR(64) NOT NULL DEFAULT '',
    reported_at DATETIME(6) NOT NULL,
    reported_by VARCHAR(191) NOT NULL DEFAULT '',
    status VARCHAR(32) NOT NULL,
    verify_due DATETIME(6) NULL,
    verified_at DATETIME(6) NULL,
    verified_by VARCHAR(191) NOT NULL DEFAULT '',
    verification_reasons TEXT NOT NULL,
    suspended_at DATETIME(6) NULL,
    suspension_doc_id BIGINT NULL,
    defence_due DATETIME(6) NULL,
    defence TEXT NOT NULL,
    defence_at DATETIME(6) NULL,
    propose_due DATETIME(6) NULL,
    proposed_at DATETIME(6) NULL,
    proposed_by VARCHAR(191) NOT NULL DEFAULT '',
    ordered_at DATETIME(6) NULL,
    ordered_by VARCHAR(191) NOT NULL DEFAULT '',
    order_text TEXT NOT NULL,
    removal_vote_id BIGINT NULL,
    outcome VARCHAR(16) NOT NULL DEFAULT '',
    outcome_at DATETIME(6) NULL,
    outcome_doc_id BIGINT NULL,
    effective_on CHAR(10) NULL,
    confirmed_at DATETIME(6) NULL,
    confirmed_by VARCHAR(191) NOT NULL DEFAULT '',
    closed_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_committee_cases_committee FOREIGN KEY (committee_id) REFERENCES committees(id),
    CONSTRAINT fk_committee_cases_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT fk_committee_cases_member FOREIGN KEY (member_id) REFERENCES committee_members(id),
    CONSTRAINT ck_committee_cases_kind CHECK (kind IN ('removal','cessation')),
    CONSTRAINT ck_committee_cases_reporter CHECK (reporter_kind IN ('owner','member','community','street','public','roster')),
    KEY idx_committee_cases_committee (committee_id, status),
    KEY idx_committee_cases_member (member_id),
    KEY idx_committee_cases_estate (estate_id, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE committee_case_events (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    case_id BIGINT NOT NULL,
    kind VARCHAR(32) NOT NULL,
    at DATETIME(6) NOT NULL,
    by_name VARCHAR(191) NOT NULL DEFAULT '',
    note TEXT NOT NULL,
    document_id BIGINT NULL,
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_committee_case_events_case FOREIGN KEY (case_id) REFERENCES committee_cases(id),
    KEY idx_committee_case_events_case (case_id, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE committee_case_files (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    case_id BIGINT NOT NULL,
    filename VARCHAR(255) NOT NULL,
    content_type VARCHAR(128) NOT NULL DEFAULT '',
    sha256 CHAR(64) NOT NULL,
    size_bytes BIGINT NOT NULL,
    data LONGBLOB NOT NULL,
    uploaded_by VARCHAR(191) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_committee_case_files_case FOREIGN KEY (case_id) REFERENCES committee_cases(id),
    KEY idx_committee_case_files_case (case_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE committee_changes (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    committee_id BIGINT NOT NULL,
    estate_id BIGINT NOT NULL,
    case_id BIGINT NULL,
    member_id BIGINT NOT NULL,
    kind VARCHAR(16) NOT NULL,
    at DATETIME(6) NOT NULL,
    document_id BIGINT NULL,
    filing_due DATETIME(6) NOT NULL,
    filing_id BIGINT NULL,
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_committee_changes_committee FOREIGN KEY (committee_id) REFERENCES committees(id),
    CONSTRAINT fk_committee_changes_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT fk_committee_changes_member FOREIGN KEY (member_id) REFERENCES committee_members(id),
    CONSTRAINT ck_committee_changes_kind CHECK (kind IN ('ended','seated')),
    KEY idx_committee_changes_committee (committee_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE committee_members ADD COLUMN suspended_at DATETIME(6) NULL;
ALTER TABLE committee_members ADD COLUMN suspended_case_id BIGINT NULL;
ALTER TABLE committee_members ADD COLUMN end_reason VARCHAR(255) NOT NULL DEFAULT '';
ALTER TABLE committee_members ADD COLUMN seated_at DATETIME(6) NULL;
ALTER TABLE committees ADD COLUMN reelection_required_at DATETIME(6) NULL;
ALTER TABLE vote_items ADD COLUMN removal_case_id BIGINT NULL;

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
