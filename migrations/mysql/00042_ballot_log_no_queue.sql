-- +goose Up
-- The ballot log keeps no queue (issue 14, app/ballotlog Append/Sweep,
-- docs/bundle.md): a leaf's content is its ballot's own row, so an online cast's
-- transaction writes nothing but the ballot, and the sequencer numbers the leaves
-- after the commit; a ballot a crash left without a leaf is numbered by the
-- recovery pass or the next signed head, which number every ballot of the vote that
-- has none. Whatever was queued when this migration runs is numbered the same way.
-- Upgrade with every older instance stopped (they write to the queue). Down
-- recreates an empty queue: the older code numbers only what is queued, so before
-- rolling back stop the servers cleanly (they number what they were handed) and
-- sign a checkpoint of every open vote (which numbers every ballot without a leaf).
DROP TRIGGER IF EXISTS tr_ballot_log_pending_no_delete;
DROP TRIGGER IF EXISTS tr_ballot_log_pending_no_update;
DROP TABLE ballot_log_pending;

-- +goose Down
CREATE TABLE ballot_log_pending (
    vote_id BIGINT NOT NULL,
    ballot_id BIGINT NOT NULL,
    is_void BOOLEAN NOT NULL,
    leaf BLOB NOT NULL,
    PRIMARY KEY (vote_id, ballot_id, is_void)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TRIGGER tr_ballot_log_pending_no_update BEFORE UPDATE ON ballot_log_pending FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'queued ballot log leaves are append-only';
-- +goose StatementBegin
CREATE TRIGGER tr_ballot_log_pending_no_delete BEFORE DELETE ON ballot_log_pending FOR EACH ROW
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ballot_log_leaves WHERE ballot_id = OLD.ballot_id AND is_void = OLD.is_void) THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a queued ballot log leaf leaves the queue only once sequenced';
    END IF;
END;
-- +goose StatementEnd
