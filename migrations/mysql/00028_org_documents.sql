-- +goose Up
-- Issue 13 (h12): org-level documents and proper kinds for the property records.
--
-- 1. A document belongs to an estate or, for the papers of a district or street office
--    (the monthly red/black lists of property companies, the monthly supervision report),
--    to an org: org_id is new, estate_id becomes nullable, and a CHECK keeps one of them
--    set. Every document, estate-level or not, is then numbered, stored and verified
--    the same way (/verify/<number>).
-- 2. The property records had been stored as kind 'attachment' (shown as "公告附件" on
--    /verify): they get their own kinds, and existing rows are corrected by subject:
--    'termination' (the termination notice to the company, CC 946), 'handover' (the
--    handover record, CC 949), 'public_income' (the annual public-income disclosure),
--    'credit_list' (a district's monthly red/black lists) and 'supervision' (a street
--    office's monthly supervision report, issued by the supervision feature).
ALTER TABLE document_series
    MODIFY estate_id BIGINT NULL,
    ADD COLUMN org_id BIGINT NULL,
    ADD KEY idx_document_series_org (org_id),
    ADD CONSTRAINT fk_document_series_org FOREIGN KEY (org_id) REFERENCES orgs(id),
    DROP CONSTRAINT ck_document_series_kind;
ALTER TABLE document_series
    ADD CONSTRAINT ck_document_series_kind CHECK (kind IN ('resolution','notices','minutes','attachment','termination','handover','public_income','credit_list','supervision')),
    ADD CONSTRAINT ck_document_series_owner CHECK (estate_id IS NOT NULL OR org_id IS NOT NULL);
UPDATE document_series SET kind = 'termination' WHERE kind = 'attachment' AND subject LIKE 'termination:%';
UPDATE document_series SET kind = 'handover' WHERE kind = 'attachment' AND subject LIKE 'handover:%';
UPDATE document_series SET kind = 'public_income' WHERE kind = 'attachment' AND subject LIKE 'public-income:%';

ALTER TABLE documents
    MODIFY estate_id BIGINT NULL,
    ADD COLUMN org_id BIGINT NULL,
    ADD KEY idx_documents_org (org_id, id),
    ADD CONSTRAINT fk_documents_org FOREIGN KEY (org_id) REFERENCES orgs(id),
    DROP CONSTRAINT ck_documents_kind;
ALTER TABLE documents
    ADD CONSTRAINT ck_documents_kind CHECK (kind IN ('resolution','notices','minutes','attachment','termination','handover','public_income','credit_list','supervision')),
    ADD CONSTRAINT ck_documents_owner CHECK (estate_id IS NOT NULL OR org_id IS NOT NULL);
UPDATE documents d JOIN document_series s ON s.id = d.series_id SET d.kind = s.kind WHERE d.kind <> s.kind;

-- +goose Down
DELETE FROM document_chunks WHERE document_id IN (SELECT id FROM documents WHERE estate_id IS NULL);
UPDATE documents SET supersedes_id = NULL, superseded_by_id = NULL WHERE estate_id IS NULL;
DELETE FROM documents WHERE estate_id IS NULL;
DELETE FROM document_series WHERE estate_id IS NULL;
UPDATE documents SET kind = 'attachment' WHERE kind NOT IN ('resolution','notices','minutes');
UPDATE document_series SET kind = 'attachment' WHERE kind NOT IN ('resolution','notices','minutes');
ALTER TABLE documents
    DROP CONSTRAINT ck_documents_owner,
    DROP CONSTRAINT ck_documents_kind,
    DROP FOREIGN KEY fk_documents_org,
    DROP KEY idx_documents_org;
ALTER TABLE documents
    DROP COLUMN org_id,
    MODIFY estate_id BIGINT NOT NULL,
    ADD CONSTRAINT ck_documents_kind CHECK (kind IN ('resolution','notices','minutes','attachment'));
ALTER TABLE document_series
    DROP CONSTRAINT ck_document_series_owner,
    DROP CONSTRAINT ck_document_series_kind,
    DROP FOREIGN KEY fk_document_series_org,
    DROP KEY idx_document_series_org;
ALTER TABLE document_series
    DROP COLUMN org_id,
    MODIFY estate_id BIGINT NOT NULL,
    ADD CONSTRAINT ck_document_series_kind CHECK (kind IN ('resolution','notices','minutes','attachment'));
