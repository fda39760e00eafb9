-- +goose Up
-- The per-vote ballot log (issue 14, app/ballotlog): every cast, paper or proxy
-- entry and void of a vote is a leaf of an RFC 6962 Merkle tree, appended in the
-- same transaction as the ballot. Leaves carry no names and no ID numbers. A
-- leaf's bytes are not stored: they are rebuilt from its ballot (channel, receipt,
-- cast_at), the voter's frozen area, the ballot's contents and, for a void, the
-- void's time (ballotlog.Leaves), and checked against leaf_hash. A leaf is found
-- from its receipt through ballots (receipt is unique there) and
-- ballot_id (its first leaf; a void's leaf comes later), an index that only grows
-- at its end. leaf_hash is the RFC 6962 leaf hash, 32 bytes.
CREATE TABLE ballot_log_leaves (
    vote_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    ballot_id BIGINT NOT NULL,
    leaf_hash BINARY(32) NOT NULL,
    is_void BOOLEAN NOT NULL,
    PRIMARY KEY (vote_id, seq),
    CONSTRAINT fk_ballot_log_leaves_vote FOREIGN KEY (vote_id) REFERENCES votes(id),
    KEY idx_ballot_log_leaves_ballot (ballot_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The compact range of each vote's tree (the frontier: one hash per set bit of
-- size, hex, comma-separated), updated by each append instead of rebuilding.
CREATE TABLE ballot_log_state (
    vote_id BIGINT NOT NULL PRIMARY KEY,
    size BIGINT NOT NULL,
    frontier TEXT NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_ballot_log_state_vote FOREIGN KEY (vote_id) REFERENCES votes(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Signed tree heads: checkpoints while the vote is open, and the closing head.
CREATE TABLE ballot_log_heads (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    vote_id BIGINT NOT NULL,
    kind VARCHAR(16) NOT NULL,
    size BIGINT NOT NULL,
    root_hash CHAR(64) NOT NULL,
    signed_at DATETIME(6) NOT NULL,
    key_id CHAR(16) NOT NULL,
    signature VARCHAR(128) NOT NULL,
    CONSTRAINT fk_ballot_log_heads_vote FOREIGN KEY (vote_id) REFERENCES votes(id),
    KEY idx_ballot_log_heads_vote (vote_id, size)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Defence in depth: the database itself refuses to change or remove a ballot,
-- what it chose, a void, a log leaf or a signed head.
-- A ballot never changes, except the keyed hash and the mask of a proxy's ID
-- number, which a key rotation (app/keyring) re-keys and migration 00012 re-masked.
-- +goose StatementBegin
CREATE TRIGGER tr_ballots_no_update BEFORE UPDATE ON ballots FOR EACH ROW
BEGIN
    IF NOT (NEW.id <=> OLD.id AND NEW.vote_id <=> OLD.vote_id AND NEW.voter_id <=> OLD.voter_id AND NEW.attempt <=> OLD.attempt
        AND BINARY NEW.channel <=> BINARY OLD.channel AND NEW.credential_id <=> OLD.credential_id AND NEW.cast_at <=> OLD.cast_at AND BINARY NEW.receipt <=> BINARY OLD.receipt
        AND NEW.entered_by <=> OLD.entered_by AND BINARY NEW.entered_by_name <=> BINARY OLD.entered_by_name AND BINARY NEW.proxy_name <=> BINARY OLD.proxy_name AND BINARY NEW.proxy_authorisation <=> BINARY OLD.proxy_authorisation
        AND BINARY NEW.note <=> BINARY OLD.note) THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'ballots are append-only';
    END IF;
END;
-- +goose StatementEnd
CREATE TRIGGER tr_ballots_no_delete BEFORE DELETE ON ballots FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'ballots are append-only';
CREATE TRIGGER tr_ballot_contents_no_update BEFORE UPDATE ON ballot_contents FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'ballot contents are append-only';
CREATE TRIGGER tr_ballot_contents_no_delete BEFORE DELETE ON ballot_contents FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'ballot contents are append-only';
CREATE TRIGGER tr_ballot_voids_no_update BEFORE UPDATE ON ballot_voids FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'ballot voids are append-only';
CREATE TRIGGER tr_ballot_voids_no_delete BEFORE DELETE ON ballot_voids FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'ballot voids are append-only';
CREATE TRIGGER tr_ballot_log_leaves_no_update BEFORE UPDATE ON ballot_log_leaves FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'ballot log leaves are append-only';
CREATE TRIGGER tr_ballot_log_leaves_no_delete BEFORE DELETE ON ballot_log_leaves FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'ballot log leaves are append-only';
CREATE TRIGGER tr_ballot_log_heads_no_update BEFORE UPDATE ON ballot_log_heads FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'signed tree heads are append-only';
CREATE TRIGGER tr_ballot_log_heads_no_delete BEFORE DELETE ON ballot_log_heads FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'signed tree heads are append-only';

-- +goose Down
DROP TRIGGER tr_ballot_log_heads_no_delete;
DROP TRIGGER tr_ballot_log_heads_no_update;
DROP TRIGGER tr_ballot_log_leaves_no_delete;
DROP TRIGGER tr_ballot_log_leaves_no_update;
DROP TRIGGER tr_ballot_voids_no_delete;
DROP TRIGGER tr_ballot_voids_no_update;
DROP TRIGGER tr_ballot_contents_no_delete;
DROP TRIGGER tr_ballot_contents_no_update;
DROP TRIGGER tr_ballots_no_delete;
DROP TRIGGER tr_ballots_no_update;
DROP TABLE ballot_log_heads;
DROP TABLE ballot_log_state;
DROP TABLE ballot_log_leaves;
