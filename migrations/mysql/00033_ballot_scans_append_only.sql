-- +goose Up
-- Issue 14, leftovers (h2): the scanned original of a paper or proxy ballot is
-- evidence beside the ballot it was entered from; like the ballot, the database
-- itself refuses to change or remove it (see 00021 for ballots, contents, voids,
-- log leaves and heads). A scan is only ever added (app/voting/paper.go storeScan).
CREATE TRIGGER tr_ballot_scans_no_update BEFORE UPDATE ON ballot_scans FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'ballot scans are append-only';
CREATE TRIGGER tr_ballot_scans_no_delete BEFORE DELETE ON ballot_scans FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'ballot scans are append-only';

-- +goose Down
DROP TRIGGER tr_ballot_scans_no_delete;
DROP TRIGGER tr_ballot_scans_no_update;
