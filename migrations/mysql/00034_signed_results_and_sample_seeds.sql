-- +goose Up
-- Issue 14, leftovers (h2).
-- 1. The closing head signs the recount spec and the published results too
--    (docs/bundle.md, head format gongzhi-ballot-log/2): spec_sha256 is the SHA-256
--    of the vote spec's canonical bytes, results_sha256 that of the published result
--    document. Empty on checkpoints and on closing heads signed before this migration.
ALTER TABLE ballot_log_heads ADD COLUMN spec_sha256 CHAR(64) NOT NULL DEFAULT '';
ALTER TABLE ballot_log_heads ADD COLUMN results_sha256 CHAR(64) NOT NULL DEFAULT '';
-- 2. A paper-audit sample's seed is derived, not typed (docs/audit.md): anchor is
--    the vote's closing root (or its result SHA-256 without a signed log), nonce the
--    server's random bytes drawn with the sample; seed = SHA-256 of both.
--    Empty for audits drawn before this migration (their typed seed is kept).
ALTER TABLE paper_audits ADD COLUMN anchor CHAR(64) NOT NULL DEFAULT '';
ALTER TABLE paper_audits ADD COLUMN nonce CHAR(64) NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE paper_audits DROP COLUMN nonce;
ALTER TABLE paper_audits DROP COLUMN anchor;
ALTER TABLE ballot_log_heads DROP COLUMN results_sha256;
ALTER TABLE ballot_log_heads DROP COLUMN spec_sha256;
