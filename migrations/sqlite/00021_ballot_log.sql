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
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    seq INTEGER NOT NULL,
    ballot_id INTEGER NOT NULL,
    leaf_hash BLOB NOT NULL,
    is_void BOOLEAN NOT NULL,
    PRIMARY KEY (vote_id, seq)
);
CREATE INDEX idx_ballot_log_leaves_ballot ON ballot_log_leaves(ballot_id);

-- The compact range of each vote's tree (the frontier: one hash per set bit of
-- size, hex, comma-separated), updated by each append instead of rebuilding.
CREATE TABLE ballot_log_state (
    vote_id INTEGER NOT NULL PRIMARY KEY REFERENCES votes(id),
    size INTEGER NOT NULL,
    frontier TEXT NOT NULL,
    updated_at DATETIME NOT NULL
);

-- Signed tree heads: checkpoints while the vote is open, and the closing head.
CREATE TABLE ballot_log_heads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    kind TEXT NOT NULL,
    size INTEGER NOT NULL,
    root_hash TEXT NOT NULL,
    signed_at DATETIME NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE INDEX idx_ballot_log_heads_vote ON ballot_log_heads(vote_id, size);

-- Defence in depth: the database itself refuses to change or remove a ballot,
-- what it chose, a void, a log leaf or a signed head.
-- A ballot never changes, except the keyed hash and the mask of a proxy's ID
-- number, which a key rotation (app/keyring) re-keys and migration 00012 re-masked.
-- +goose StatementBegin
CREATE TRIGGER tr_ballots_no_update BEFORE UPDATE OF id, vote_id, voter_id, attempt, channel, credential_id, cast_at, receipt, entered_by, entered_by_name, proxy_name, proxy_authorisation, note ON ballots
BEGIN SELECT RAISE(ABORT, 'ballots are append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tr_ballots_no_delete BEFORE DELETE ON ballots
BEGIN SELECT RAISE(ABORT, 'ballots are append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tr_ballot_contents_no_update BEFORE UPDATE ON ballot_contents
BEGIN SELECT RAISE(ABORT, 'ballot contents are append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tr_ballot_contents_no_delete BEFORE DELETE ON ballot_contents
BEGIN SELECT RAISE(ABORT, 'ballot contents are append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tr_ballot_voids_no_update BEFORE UPDATE ON ballot_voids
BEGIN SELECT RAISE(ABORT, 'ballot voids are append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tr_ballot_voids_no_delete BEFORE DELETE ON ballot_voids
BEGIN SELECT RAISE(ABORT, 'ballot voids are append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tr_ballot_log_leaves_no_update BEFORE UPDATE ON ballot_log_leaves
BEGIN SELECT RAISE(ABORT, 'ballot log leaves are append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tr_ballot_log_leaves_no_delete BEFORE DELETE ON ballot_log_leaves
BEGIN SELECT RAISE(ABORT, 'ballot log leaves are append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tr_ballot_log_heads_no_update BEFORE UPDATE ON ballot_log_heads
BEGIN SELECT RAISE(ABORT, 'signed tree heads are append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tr_ballot_log_heads_no_delete BEFORE DELETE ON ballot_log_heads
BEGIN SELECT RAISE(ABORT, 'signed tree heads are append-only'); END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER IF EXISTS tr_ballot_log_heads_no_delete;
DROP TRIGGER IF EXISTS tr_ballot_log_heads_no_update;
DROP TRIGGER IF EXISTS tr_ballot_log_leaves_no_delete;
DROP TRIGGER IF EXISTS tr_ballot_log_leaves_no_update;
DROP TRIGGER IF EXISTS tr_ballot_voids_no_delete;
DROP TRIGGER IF EXISTS tr_ballot_voids_no_update;
DROP TRIGGER IF EXISTS tr_ballot_contents_no_delete;
DROP TRIGGER IF EXISTS tr_ballot_contents_no_update;
DROP TRIGGER IF EXISTS tr_ballots_no_delete;
DROP TRIGGER IF EXISTS tr_ballots_no_update;
DROP TABLE ballot_log_heads;
DROP TABLE ballot_log_state;
DROP TABLE ballot_log_leaves;
