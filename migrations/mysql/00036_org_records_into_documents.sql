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
    SELECT 'supervision', CONCAT('supervision-report:', org_id, ':', SUBSTRING(subject, 20)), NULL, NULL, NULL,
        CAST(SUBSTRING(subject, 20, 4) AS UNSIGNED), MAX(version), MIN(created_at), org_id
    FROM org_records GROUP BY org_id, subject;
INSERT INTO documents (series_id, estate_id, kind, vote_id, minutes_id, version, doc_number, title, sha256, size_bytes, pages,
        encrypted, status, supersedes_id, superseded_by_id, superseded_at, basis, reason, summary_json, created_by, created_by_name,
        created_at, published_at, show_until, org_id)
    SELECT s.id, NULL, 'supervision', NULL, NULL, r.version, r.doc_number, r.title, r.sha256, r.size_bytes, 0,
        0, CASE WHEN r.superseded_at IS NULL THEN 'in_force' ELSE 'superseded' END, NULL, NULL, r.superseded_at,
        r.basis_sha256, '',
        JSON_OBJECT('estate_name', '', 'org_name', o.name, 'meeting_title', r.title,
            'report', JSON_SET(CASE WHEN JSON_VALID(r.summary) THEN r.summary ELSE '{}' END, '$.month', SUBSTRING(r.subject, 20))),
        r.created_by, COALESCE((SELECT u.username FROM users u WHERE u.id = r.created_by), 'system'), r.created_at, NULL, NULL, r.org_id
    FROM org_records r
    JOIN orgs o ON o.id = r.org_id
    JOIN document_series s ON s.kind = 'supervision' AND s.subject = CONCAT('supervision-report:', r.org_id, ':', SUBSTRING(r.subject, 20))
    ORDER BY r.id;
INSERT INTO document_chunks (document_id, seq, data)
    SELECT d.id, 0, r.pdf FROM org_records r JOIN documents d ON d.doc_number = r.doc_number;
UPDATE documents d JOIN documents p ON p.series_id = d.series_id AND p.version = d.version - 1
    SET d.supersedes_id = p.id
    WHERE d.kind = 'supervision' AND d.doc_number LIKE 'GZ-O%';
UPDATE documents d JOIN documents n ON n.series_id = d.series_id AND n.version = d.version + 1
    SET d.superseded_by_id = n.id
    WHERE d.kind = 'supervision' AND d.doc_number LIKE 'GZ-O%' AND d.status = 'superseded';
DROP TABLE org_records;

-- +goose Down
-- The table comes back empty: the reports stay documents (a version is never deleted).
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
