-- +goose Up
-- Issue 15 (h10): the monthly supervision reports become documents of kind 'supervision'
-- (migration 00028 gave documents an org_id), numbered and verified at /verify/<number>
-- like every other PDF; org_records (migration 00026) goes. Every stored version moves
-- with its bytes (one unencrypted chunk) and keeps its number (GZ-O<org>-SR<yyyymm>-V<n>),
-- so a printed report's number still verifies, and /verify/org/<number> redirects to
-- /verify/<number>. Its series is (supervision, "supervision-report:<org>:<yyyy-mm>");
-- a version issued later is numbered like other documents (GZ-<year>-<series>-V<n>).
-- The basis stays the digest it was (the report's basis is its SHA-256 in both): an
-- unchanged month is served, not issued again. The report's figures (summary) go into summary_json.report with its month.
INSERT INTO document_series (kind, subject, estate_id, vote_id, minutes_id, year, current_version, created_at, org_id)
    SELECT 'supervision', 'supervision-report:' || org_id || ':' || substr(subject, 20), NULL, NULL, NULL,
        CAST(substr(subject, 20, 4) AS INTEGER), MAX(version), MIN(created_at), org_id
    FROM org_records GROUP BY org_id, subject;
INSERT INTO documents (series_id, estate_id, kind, vote_id, minutes_id, version, doc_number, title, sha256, size_bytes, pages,
        encrypted, status, supersedes_id, superseded_by_id, superseded_at, basis, reason, summary_json, created_by, created_by_name,
        created_at, published_at, show_until, org_id)
    SELECT s.id, NULL, 'supervision', NULL, NULL, r.version, r.doc_number, r.title, r.sha256, r.size_bytes, 0,
        0, CASE WHEN r.superseded_at IS NULL THEN 'in_force' ELSE 'superseded' END, NULL, NULL, r.superseded_at,
        r.basis_sha256, '',
        json_object('estate_name', '', 'org_name', o.name, 'meeting_title', r.title,
            'report', json_set(CASE WHEN json_valid(r.summary) THEN r.summary ELSE '{}' END, '$.month', substr(r.subject, 20))),
        r.created_by, COALESCE((SELECT u.username FROM users u WHERE u.id = r.created_by), 'system'), r.created_at, NULL, NULL, r.org_id
    FROM org_records r
    JOIN orgs o ON o.id = r.org_id
    JOIN document_series s ON s.kind = 'supervision' AND s.subject = 'supervision-report:' || r.org_id || ':' || substr(r.subject, 20)
    ORDER BY r.id;
INSERT INTO document_chunks (document_id, seq, data)
    SELECT d.id, 0, r.pdf FROM org_records r JOIN documents d ON d.doc_number = r.doc_number;
UPDATE documents SET supersedes_id = (SELECT p.id FROM documents p WHERE p.series_id = documents.series_id AND p.version = documents.version - 1)
    WHERE kind = 'supervision' AND doc_number LIKE 'GZ-O%' AND version > 1;
UPDATE documents SET superseded_by_id = (SELECT n.id FROM documents n WHERE n.series_id = documents.series_id AND n.version = documents.version + 1)
    WHERE kind = 'supervision' AND doc_number LIKE 'GZ-O%' AND status = 'superseded';
DROP TABLE org_records;

-- +goose Down
-- The table comes back empty: the reports stay documents (a version is never deleted).
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
