-- +goose Up
-- The ballot log's queue (issue 14, app/ballotlog Enqueue/Integrate, docs/bundle.md):
-- a ballot's transaction records its leaf here (no shared row touched, so group
-- commits of one vote no longer wait on each other), and a sequencer numbers queued
-- leaves in a transaction of its own, or in the transaction of a head about to be
-- signed, writing them to ballot_log_leaves and removing them from the queue in
-- that same transaction, in the order of (ballot_id, is_void): a ballot's leaf
-- before its void's. leaf holds the leaf's fields but its sequence (JSON). The
-- table is its primary key alone (no second index, no foreign key: the ballot's
-- transaction pays for one B-tree insert; the ballot itself references the vote).
CREATE TABLE ballot_log_pending (
    vote_id INTEGER NOT NULL,
    ballot_id INTEGER NOT NULL,
    is_void BOOLEAN NOT NULL,
    leaf BLOB NOT NULL,
    PRIMARY KEY (vote_id, ballot_id, is_void)
) WITHOUT ROWID;

-- One leaf per ballot and one per void: a leaf sequenced twice is refused.
CREATE UNIQUE INDEX idx_ballot_log_leaves_ballot_void ON ballot_log_leaves(ballot_id, is_void);
DROP INDEX idx_ballot_log_leaves_ballot;

-- A queued leaf is never changed, and leaves the queue only once its sequenced
-- leaf is written (a ballot is never without its log entry).
-- +goose StatementBegin
CREATE TRIGGER tr_ballot_log_pending_no_update BEFORE UPDATE ON ballot_log_pending
BEGIN SELECT RAISE(ABORT, 'queued ballot log leaves are append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tr_ballot_log_pending_no_delete BEFORE DELETE ON ballot_log_pending
WHEN NOT EXISTS (SELECT 1 FROM ballot_log_leaves WHERE ballot_id = OLD.ballot_id AND is_void = OLD.is_void)
BEGIN SELECT RAISE(ABORT, 'a queued ballot log leaf leaves the queue only once sequenced'); END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER IF EXISTS tr_ballot_log_pending_no_delete;
DROP TRIGGER IF EXISTS tr_ballot_log_pending_no_update;
CREATE INDEX idx_ballot_log_leaves_ballot ON ballot_log_leaves(ballot_id);
DROP INDEX idx_ballot_log_leaves_ballot_void;
DROP TABLE ballot_log_pending;
