-- +goose NO TRANSACTION
-- +goose Up
-- Issue 13 (h12): org-level documents and proper kinds for the property records.
-- See migrations/mysql/00028_org_documents.sql for the reasons. SQLite cannot change a
-- column's NOT NULL or a CHECK in place, so document_series and documents are rebuilt.
-- Other tables reference them (document_chunks, minutes, announcements, documents
-- itself): the rebuild runs with foreign keys off, which SQLite only allows outside a
-- transaction, hence NO TRANSACTION and one statement block that opens its own
-- transaction on one connection. Neither table has triggers; every index is recreated.
-- Rows keep their ids; the kinds of existing property records are corrected by subject.
-- +goose StatementBegin
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE document_series_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    estate_id INTEGER NULL,
    vote_id INTEGER NULL,
    minutes_id INTEGER NULL,
    year INTEGER NOT NULL,
    current_version INTEGER NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL,
    org_id INTEGER NULL,
    FOREIGN KEY (estate_id) REFERENCES estates(id),
    FOREIGN KEY (vote_id) REFERENCES votes(id),
    FOREIGN KEY (org_id) REFERENCES orgs(id),
    CONSTRAINT ck_document_series_kind CHECK (kind IN ('resolution','notices','minutes','attachment','termination','handover','public_income','credit_list','supervision')),
    CONSTRAINT ck_document_series_owner CHECK (estate_id IS NOT NULL OR org_id IS NOT NULL)
);
INSERT INTO document_series_new (id, kind, subject, estate_id, vote_id, minutes_id, year, current_version, created_at, org_id)
    SELECT id, CASE
        WHEN kind = 'attachment' AND subject LIKE 'termination:%' THEN 'termination'
        WHEN kind = 'attachment' AND subject LIKE 'handover:%' THEN 'handover'
        WHEN kind = 'attachment' AND subject LIKE 'public-income:%' THEN 'public_income'
        ELSE kind END,
        subject, estate_id, vote_id, minutes_id, year, current_version, created_at, NULL
    FROM document_series;
DROP TABLE document_series;
ALTER TABLE document_series_new RENAME TO document_series;
CREATE UNIQUE INDEX ux_document_series_subject ON document_series(kind, subject);
CREATE INDEX idx_document_series_org ON document_series(org_id);

CREATE TABLE documents_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    series_id INTEGER NOT NULL,
    estate_id INTEGER NULL,
    kind TEXT NOT NULL,
    vote_id INTEGER NULL,
    minutes_id INTEGER NULL,
    version INTEGER NOT NULL,
    doc_number TEXT NOT NULL,
    title TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    pages INTEGER NOT NULL DEFAULT 0,
    encrypted BOOLEAN NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    supersedes_id INTEGER NULL,
    superseded_by_id INTEGER NULL,
    superseded_at DATETIME NULL,
    basis TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    summary_json TEXT NOT NULL DEFAULT '',
    created_by INTEGER NULL,
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    published_at DATETIME NULL,
    show_until DATETIME NULL,
    org_id INTEGER NULL,
    FOREIGN KEY (series_id) REFERENCES document_series(id),
    FOREIGN KEY (estate_id) REFERENCES estates(id),
    FOREIGN KEY (created_by) REFERENCES users(id),
    FOREIGN KEY (supersedes_id) REFERENCES documents(id),
    FOREIGN KEY (superseded_by_id) REFERENCES documents(id),
    FOREIGN KEY (org_id) REFERENCES orgs(id),
    CONSTRAINT ck_documents_kind CHECK (kind IN ('resolution','notices','minutes','attachment','termination','handover','public_income','credit_list','supervision')),
    CONSTRAINT ck_documents_status CHECK (status IN ('in_force','superseded')),
    CONSTRAINT ck_documents_version CHECK (version >= 1),
    CONSTRAINT ck_documents_owner CHECK (estate_id IS NOT NULL OR org_id IS NOT NULL)
);
INSERT INTO documents_new (id, series_id, estate_id, kind, vote_id, minutes_id, version, doc_number, title, sha256, size_bytes, pages,
        encrypted, status, supersedes_id, superseded_by_id, superseded_at, basis, reason, summary_json, created_by, created_by_name,
        created_at, published_at, show_until, org_id)
    SELECT d.id, d.series_id, d.estate_id, s.kind, d.vote_id, d.minutes_id, d.version, d.doc_number, d.title, d.sha256, d.size_bytes, d.pages,
        d.encrypted, d.status, d.supersedes_id, d.superseded_by_id, d.superseded_at, d.basis, d.reason, d.summary_json, d.created_by, d.created_by_name,
        d.created_at, d.published_at, d.show_until, NULL
    FROM documents d JOIN document_series s ON s.id = d.series_id;
DROP TABLE documents;
ALTER TABLE documents_new RENAME TO documents;
CREATE UNIQUE INDEX ux_documents_version ON documents(series_id, version);
CREATE UNIQUE INDEX ux_documents_number ON documents(doc_number);
CREATE INDEX idx_documents_sha256 ON documents(sha256);
CREATE INDEX idx_documents_estate ON documents(estate_id, id);
CREATE INDEX idx_documents_vote ON documents(vote_id);
CREATE INDEX idx_documents_org ON documents(org_id, id);
COMMIT;
PRAGMA foreign_keys = ON;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
DELETE FROM document_chunks WHERE document_id IN (SELECT id FROM documents WHERE estate_id IS NULL);
DELETE FROM documents WHERE estate_id IS NULL;
DELETE FROM document_series WHERE estate_id IS NULL;
CREATE TABLE document_series_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    estate_id INTEGER NOT NULL,
    vote_id INTEGER NULL,
    minutes_id INTEGER NULL,
    year INTEGER NOT NULL,
    current_version INTEGER NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL,
    FOREIGN KEY (estate_id) REFERENCES estates(id),
    FOREIGN KEY (vote_id) REFERENCES votes(id),
    CONSTRAINT ck_document_series_kind CHECK (kind IN ('resolution','notices','minutes','attachment'))
);
INSERT INTO document_series_old (id, kind, subject, estate_id, vote_id, minutes_id, year, current_version, created_at)
    SELECT id, CASE WHEN kind IN ('resolution','notices','minutes') THEN kind ELSE 'attachment' END,
        subject, estate_id, vote_id, minutes_id, year, current_version, created_at FROM document_series;
DROP TABLE document_series;
ALTER TABLE document_series_old RENAME TO document_series;
CREATE UNIQUE INDEX ux_document_series_subject ON document_series(kind, subject);
CREATE TABLE documents_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    series_id INTEGER NOT NULL,
    estate_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    vote_id INTEGER NULL,
    minutes_id INTEGER NULL,
    version INTEGER NOT NULL,
    doc_number TEXT NOT NULL,
    title TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    pages INTEGER NOT NULL DEFAULT 0,
    encrypted BOOLEAN NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    supersedes_id INTEGER NULL,
    superseded_by_id INTEGER NULL,
    superseded_at DATETIME NULL,
    basis TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    summary_json TEXT NOT NULL DEFAULT '',
    created_by INTEGER NULL,
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    published_at DATETIME NULL,
    show_until DATETIME NULL,
    FOREIGN KEY (series_id) REFERENCES document_series(id),
    FOREIGN KEY (estate_id) REFERENCES estates(id),
    FOREIGN KEY (created_by) REFERENCES users(id),
    FOREIGN KEY (supersedes_id) REFERENCES documents(id),
    FOREIGN KEY (superseded_by_id) REFERENCES documents(id),
    CONSTRAINT ck_documents_kind CHECK (kind IN ('resolution','notices','minutes','attachment')),
    CONSTRAINT ck_documents_status CHECK (status IN ('in_force','superseded')),
    CONSTRAINT ck_documents_version CHECK (version >= 1)
);
INSERT INTO documents_old (id, series_id, estate_id, kind, vote_id, minutes_id, version, doc_number, title, sha256, size_bytes, pages,
        encrypted, status, supersedes_id, superseded_by_id, superseded_at, basis, reason, summary_json, created_by, created_by_name,
        created_at, published_at, show_until)
    SELECT id, series_id, estate_id, CASE WHEN kind IN ('resolution','notices','minutes') THEN kind ELSE 'attachment' END, vote_id, minutes_id,
        version, doc_number, title, sha256, size_bytes, pages, encrypted, status, supersedes_id, superseded_by_id, superseded_at, basis, reason,
        summary_json, created_by, created_by_name, created_at, published_at, show_until
    FROM documents;
DROP TABLE documents;
ALTER TABLE documents_old RENAME TO documents;
CREATE UNIQUE INDEX ux_documents_version ON documents(series_id, version);
CREATE UNIQUE INDEX ux_documents_number ON documents(doc_number);
CREATE INDEX idx_documents_sha256 ON documents(sha256);
CREATE INDEX idx_documents_estate ON documents(estate_id, id);
CREATE INDEX idx_documents_vote ON documents(vote_id);
COMMIT;
PRAGMA foreign_keys = ON;
-- +goose StatementEnd
