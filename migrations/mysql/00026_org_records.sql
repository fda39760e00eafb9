-- +goose Up
-- Org-level records (issue 15): PDFs issued by or for a street office or district
-- rather than an estate — the monthly supervision report first. Stored here, numbered
-- GZ-O<org>-<code>-V<n> and verifiable at /verify/org/<number>, until the documents
-- table takes org-level rows (then app/documents/orgrecords.go is re-pointed there).
-- One row per version; a subject's versions supersede each other; summary is the JSON
-- the next month's report compares with.
CREATE TABLE org_records (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    org_id BIGINT NOT NULL,
    subject VARCHAR(80) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    version INT NOT NULL,
    doc_number VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    title VARCHAR(200) NOT NULL,
    basis_sha256 CHAR(64) NOT NULL,
    sha256 CHAR(64) NOT NULL,
    size_bytes BIGINT NOT NULL,
    pdf LONGBLOB NOT NULL,
    summary TEXT NOT NULL,
    superseded_at DATETIME(6) NULL,
    created_by BIGINT NULL,
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_org_records_org FOREIGN KEY (org_id) REFERENCES orgs(id),
    CONSTRAINT ck_org_records_version CHECK (version >= 1),
    UNIQUE KEY uq_org_records_version (org_id, subject, version),
    UNIQUE KEY uq_org_records_number (doc_number),
    KEY ix_org_records_sha256 (sha256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE org_records;
