-- +goose Up
-- Issue 14, leftovers (h2); see migrations/mysql/00034_signed_results_and_sample_seeds.sql.
-- 1. The closing head signs the recount spec and the published results too.
ALTER TABLE ballot_log_heads ADD COLUMN spec_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE ballot_log_heads ADD COLUMN results_sha256 TEXT NOT NULL DEFAULT '';
-- 2. A paper-audit sample's seed is derived, not typed: the anchor (closing root)
--    and the server's random nonce it was derived from are kept with the draw.
ALTER TABLE paper_audits ADD COLUMN anchor TEXT NOT NULL DEFAULT '';
ALTER TABLE paper_audits ADD COLUMN nonce TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE paper_audits DROP COLUMN nonce;
ALTER TABLE paper_audits DROP COLUMN anchor;
ALTER TABLE ballot_log_heads DROP COLUMN results_sha256;
ALTER TABLE ballot_log_heads DROP COLUMN spec_sha256;
