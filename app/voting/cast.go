package voting

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/models"
)

// onlineBallotSQL writes who voted online. The attempt is 1 + the voids of the
// voter's earlier ballots (read with the credential): while the voter holds a live
// ballot the UNIQUE (vote_id, voter_id, attempt) key refuses the row, so one live
// ballot per voter holds whatever the channel and however many arrive at once (a
// stale count can only name an attempt that already exists). Its foreign key makes
// InnoDB hold a shared lock on the vote row until the transaction ends.
const onlineBallotSQL = `INSERT INTO ballots (vote_id, voter_id, attempt, channel, credential_id, cast_at, receipt,
		entered_by, entered_by_name, proxy_name, proxy_id_hash, proxy_id_masked, proxy_authorisation, note)
	VALUES (?, ?, ?, 'online', ?, ?, ?, NULL, '', '', '', '', '', '')`

// guardedContentSQL writes what the ballot chose only while the vote is open and the
// link still active, reading the vote row under the lock the ballot's foreign key
// took and the credential row under a shared lock (INSERT ... SELECT): a concurrent
// close (UPDATE votes ... WHERE state = 'open') waits for this transaction, so a
// ballot is either counted by the close or refused after it, and an identity check
// that locks the link meanwhile either waits for the ballot or refuses it. On SQLite
// one writer runs at a time.
const guardedContentSQL = `INSERT INTO ballot_contents (ballot_id, vote_id, choices, nonce)
	SELECT ?, v.id, ?, ? FROM votes v JOIN vote_credentials c ON c.vote_id = v.id
	WHERE v.id = ? AND v.state = 'open' AND c.id = ? AND c.status = 'active'`

// CastOnline casts the ballot of a personal link. The identity check is the last six
// characters of the ID number of any owner of the voter's units, admitted through
// admitCheck: a wrong answer is 403 and counts an attempt (logged without the
// answer); after the profile's number of wrong answers the link locks until staff
// reissue it, and no answer is compared any more. Outside the voting period the
// answer is 410; a voter who already voted by any channel gets 409 (said only after
// the check passed); unknown items, options or candidates are 422. Blank items count
// as abstain.
//
// Everything that can be decided from the link is decided before the ballot's
// transaction (the check of the links arriving at the same time is one batch); the
// ballot is then written by group commit with the casts arriving at the same time
// (castbatch.go), whose transaction refuses it if the link was locked or revoked
// meanwhile, and the receipt is returned once it has committed.
func (s *Service) castOnline(ctx context.Context, token, idCheck string, choices Choices) (Receipt, error) {
	cred, err := s.admitCheck(ctx, token, idCheck, acceptingBallots)
	if err != nil {
		return Receipt{}, err
	}
	now := s.now()
	v := cred.Vote()
	// A second tap of the submit button, or a ballot by another channel: answered
	// now, without a write (the UNIQUE key would refuse it anyway).
	live, err := s.liveBallotOf(ctx, cred)
	if err != nil {
		return Receipt{}, err
	}
	if live != nil {
		return Receipt{}, errAlreadyVoted(live)
	}
	if cred.HasLiveBallot() {
		// Voided since the credential was read: the ballot that was live is now one
		// of the voids, so the new ballot's attempt follows all the ballots read. The
		// UNIQUE key still decides against a ballot cast meanwhile.
		cred.Voids = cred.Ballots
	}
	ag, err := s.agendaOf(ctx, s.db, v)
	if err != nil {
		return Receipt{}, app.Internal(err)
	}
	canonical, err := ag.canonical(choices)
	if err != nil {
		return Receipt{}, err
	}
	nonceRaw := make([]byte, 16)
	if _, err := rand.Read(nonceRaw); err != nil {
		return Receipt{}, app.Internal(fmt.Errorf("ballot nonce: %w", err))
	}
	nonce := hex.EncodeToString(nonceRaw)
	out := Receipt{Code: s.receiptCode(v.ID, cred.VoterKey, canonical, nonce), VoteID: v.ID, Channel: models.ChannelOnline, CastAt: now}

	res := s.submitCast(&pendingCast{voteID: v.ID, voterID: cred.VoterID, attempt: cred.Voids + 1, credentialID: cred.CredentialID,
		castAt: now, receipt: out.Code, choices: canonical, nonce: nonce})
	if errors.Is(res.err, errRefusedBallot) {
		// The guard refuses a vote that is no longer open, or a link locked or
		// revoked after its check passed.
		return Receipt{}, s.credentialRefusal(ctx, cred)
	}
	if res.err != nil {
		return Receipt{}, app.AsErrorOrNil(res.err)
	}
	out.BallotID = res.ballotID
	return out, nil
}

// liveBallotOf reads the voter's live ballot when the credential's counts say there
// is one (nil: none, or voided since the credential was read).
func (s *Service) liveBallotOf(ctx context.Context, cred models.CredentialByTokenHash) (*models.LiveBallot, error) {
	if !cred.HasLiveBallot() {
		return nil, nil
	}
	live, err := models.LiveBallotOf(ctx, s.db, cred.VoteID, cred.VoterID)
	switch {
	case err == nil:
		return &live, nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return nil, nil
	}
	return nil, app.Internal(err)
}

// errRefusedBallot marks a guarded insert that wrote nothing: the vote closed, or the
// link was locked or revoked, after the link was read.
var errRefusedBallot = errors.New("ballot refused by its guard")

// alreadyVotedTx is the 409 for a voter holding a live ballot, read through tx.
func (s *Service) alreadyVotedTx(ctx context.Context, tx *sql.Tx, voteID, voterID int64) error {
	var live models.LiveBallot
	err := tx.QueryRowContext(ctx, `SELECT b.channel, b.cast_at FROM ballots b
		LEFT JOIN ballot_voids bv ON bv.ballot_id = b.id
		WHERE b.vote_id = ? AND b.voter_id = ? AND bv.id IS NULL ORDER BY b.attempt DESC LIMIT 1`, voteID, voterID).
		Scan(&live.Channel, &live.CastAt)
	if err != nil {
		return errAlreadyVoted(nil)
	}
	return errAlreadyVoted(&live)
}

// inSQLTx runs fn in one database/sql transaction (the online cast's, without the ORM
// in the way), with the retries of withRetries.
func (s *Service) inSQLTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("database handle: %w", err)
	}
	return s.withRetries(ctx, func() error {
		tx, err := sqlDB.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		if err := fn(tx); err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		return nil
	})
}
