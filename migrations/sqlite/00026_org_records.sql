-- +goose Up
-- Org-level records (issue 15): PDFs issued by or for a street office or district
-- rather than an estate — the monthly supervision report first. Stored here, numbered
-- GZ-O<org>-<code>-V<n> and verifiable at /verify/org/<number>, until the documents
-- table takes org-level rows (then app/documents/orgrecords.go is re-pointed there).
-- One row per version; a subject's versions supersede each other; summary is the JSON
-- the next month's report compares with.
CREATE TABLE org_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    subject TEXT NOT NULL,
    version INTEGER NOT NULL,
    doc_number TEXT NOT NULL,
    title TEXT NOT NULL,
    basis_sha256 TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    pdf BLOB NOT NULL,
    summary TEXT NOT NULL,
    superseded_at DATETIME NULL,
    created_by INTEGER NULL,
    created_at DATETIME NOT NULL,
    CONSTRAINT ck_org_records_version CHECK (version >= 1)
);
CREATE UNIQUE INDEX uq_org_records_version ON org_records(org_id, subject, version);
CREATE UNIQUE INDEX uq_org_records_number ON org_records(doc_number);
CREATE INDEX ix_org_records_sha256 ON org_records(sha256);

-- +goose Down
DROP TABLE org_records;
