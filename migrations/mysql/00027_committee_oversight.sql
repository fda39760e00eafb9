-- +goose Up
-- Committee oversight (seed 003 §(六), docs/rules.md "Committee oversight"):
-- committee_ratings: the owner representatives' periodic rating of the committee's work,
-- one row per committee and period, with the count of representatives who rated and how
-- many rated satisfied / basically satisfied / dissatisfied (sum = raters).
-- committee_rectifications: a street office's order to a committee to put matters right by
-- a civil day (due_on), and the outcome recorded when it is checked (rectified / not);
-- an order against one decision names it (minutes_id, decision_index).
-- committee_revocations: the revocation of one decision recorded in final committee
-- minutes (minutes_id, decision_index) that breaks the law or the rules, announced to the
-- owners by a notice PDF (document_id). Only a decision whose rectification order was
-- refused (status not_rectified) is revoked (seed 003 §(六)); a decision is revoked once.
CREATE TABLE committee_ratings (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    committee_id BIGINT NOT NULL,
    estate_id BIGINT NOT NULL,
    period VARCHAR(32) COLLATE utf8mb4_bin NOT NULL,
    rated_on CHAR(10) NOT NULL,
    raters INT NOT NULL,
    satisfied INT NOT NULL,
    basic INT NOT NULL,
    dissatisfied INT NOT NULL,
    summary TEXT NOT NULL,
    recorded_by VARCHAR(191) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_committee_ratings_committee FOREIGN KEY (committee_id) REFERENCES committees(id),
    CONSTRAINT fk_committee_ratings_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT ck_committee_ratings_counts CHECK (raters > 0 AND satisfied >= 0 AND basic >= 0 AND dissatisfied >= 0 AND satisfied + basic + dissatisfied = raters),
    UNIQUE KEY uq_committee_ratings_period (committee_id, period),
    KEY idx_committee_ratings_estate (estate_id, rated_on)
);
CREATE TABLE committee_rectifications (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    committee_id BIGINT NOT NULL,
    estate_id BIGINT NOT NULL,
    minutes_id BIGINT NULL,
    decision_index INT NULL,
    matters TEXT NOT NULL,
    basis TEXT NOT NULL,
    issued_on CHAR(10) NOT NULL,
    due_on CHAR(10) NOT NULL,
    issued_by VARCHAR(191) NOT NULL DEFAULT '',
    status VARCHAR(16) NOT NULL,
    outcome TEXT NOT NULL,
    outcome_on CHAR(10) NULL,
    outcome_by VARCHAR(191) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_committee_rectifications_committee FOREIGN KEY (committee_id) REFERENCES committees(id),
    CONSTRAINT fk_committee_rectifications_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT fk_committee_rectifications_minutes FOREIGN KEY (minutes_id) REFERENCES minutes(id),
    CONSTRAINT ck_committee_rectifications_status CHECK (status IN ('open','rectified','not_rectified')),
    KEY idx_committee_rectifications_committee (committee_id, status),
    KEY idx_committee_rectifications_due (estate_id, status, due_on)
);
CREATE TABLE committee_revocations (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    committee_id BIGINT NOT NULL,
    estate_id BIGINT NOT NULL,
    rectification_id BIGINT NOT NULL,
    minutes_id BIGINT NOT NULL,
    decision_index INT NOT NULL,
    decision_text TEXT NOT NULL,
    grounds TEXT NOT NULL,
    basis TEXT NOT NULL,
    revoked_on CHAR(10) NOT NULL,
    revoked_by VARCHAR(191) NOT NULL DEFAULT '',
    document_id BIGINT NULL,
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_committee_revocations_committee FOREIGN KEY (committee_id) REFERENCES committees(id),
    CONSTRAINT fk_committee_revocations_estate FOREIGN KEY (estate_id) REFERENCES estates(id),
    CONSTRAINT fk_committee_revocations_minutes FOREIGN KEY (minutes_id) REFERENCES minutes(id),
    CONSTRAINT fk_committee_revocations_rectification FOREIGN KEY (rectification_id) REFERENCES committee_rectifications(id),
    UNIQUE KEY uq_committee_revocations_decision (minutes_id, decision_index),
    KEY idx_committee_revocations_committee (committee_id)
);

-- +goose Down
DROP TABLE committee_revocations;
DROP TABLE committee_rectifications;
DROP TABLE committee_ratings;
