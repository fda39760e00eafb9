package voting

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"gongzhi/app/database"
	"time"
)

// Online ballots are written by group commit: casts that arrive while a write is
// under way queue up and the next write takes them together, in one transaction of
// multi-row INSERTs. Every cast still answers only after its own transaction has
// committed, and a batch that cannot be written as a whole (a voter who already
// voted, a vote that closed, a deadlock) is written again one cast per
// transaction, exactly as a lone cast is, so each cast gets its own answer. The
// rules are those of a single cast: the UNIQUE (vote_id, voter_id, attempt) key
// refuses a second live ballot, and the vote row is read under a shared lock, so a
// concurrent close waits for the batch to commit. The credential row of each cast
// is read under that lock too and must still be active: an identity check passed
// before the batch does not carry a ballot past a lock or a revocation that
// happened since (admission.go counts wrong answers holding the same row).

// pendingCast is an online ballot decided and ready to be written.
type pendingCast struct {
	voteID, voterID, credentialID int64
	attempt                       int
	castAt                        time.Time
	receipt, choices, nonce       string
	area                          int64 // the voter's frozen area: the ballot log leaf's weight
	clientHash                    any   // keyed hash of the client address (string), or nil: NULL

	done chan castOutcome // buffered: the writer never waits for the caller
}

// castOutcome is what became of a pending cast: its ballot id, or why not (an
// app.Error such as the 409 of a voter who already voted, errRefusedBallot when the
// vote closed meanwhile, or an internal error).
type castOutcome struct {
	ballotID int64
	err      error
}

// castKey is a batch's distinctness key for casts: one per voter, so that a second
// cast of the same voter waits for the next batch, where the UNIQUE key refuses it
// with its own 409 instead of failing its neighbours' batch.
type castKey struct{ vote, voter int64 }

func keyOfCast(p *pendingCast) castKey { return castKey{p.voteID, p.voterID} }

// submitCast queues p for the next batch and waits for its outcome.
func (s *Service) submitCast(p *pendingCast) castOutcome {
	p.done = make(chan castOutcome, 1)
	s.casts.add(p)
	return <-p.done
}

// writeCastBatch writes a batch of online ballots in one transaction and hands each
// cast its outcome. A lone cast, or a batch refused as a whole, is written cast by
// cast through writeCast.
func (s *Service) writeCastBatch(batch []*pendingCast) {
	// A panic here would otherwise take the whole server down (this is not a
	// request's goroutine, which the router recovers) and leave the casts waiting.
	defer func() {
		if r := recover(); r != nil {
			err := fmt.Errorf("writing ballots: panic: %v", r)
			for _, p := range batch {
				select {
				case p.done <- castOutcome{err: err}:
				default: // already answered
				}
			}
		}
	}()
	// The writes belong to casts whose callers wait for them; no single request's
	// cancellation may abandon the others.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if s.observer != nil {
		s.observer.CastBatch(len(batch))
	}
	if len(batch) > 1 {
		// Whatever refused the batch (errBatchRefused, a deadlock, a lost
		// connection) meets each cast again on its own below, where it is answered.
		ids, err := s.insertCastBatch(ctx, batch)
		if err == nil {
			s.handLeaves(castLeaves(batch, ids))
			for i, p := range batch {
				p.done <- castOutcome{ballotID: ids[i]}
			}
			return
		}
		if !errors.Is(err, errBatchRefused) {
			s.log.Warn("ballot batch written one by one", "casts", len(batch), "error", err)
		}
	}
	for _, p := range batch {
		p.done <- s.writeCast(ctx, p)
	}
}

// errBatchRefused marks a batch that must be written cast by cast: one of its votes
// is no longer open, one of its links was locked or revoked, or one of its voters
// already holds a ballot.
var errBatchRefused = errors.New("batch refused as a whole")

// insertCastBatch writes the whole batch in one transaction and returns the ballot
// ids in batch order. Any failure rolls the whole batch back.
func (s *Service) insertCastBatch(ctx context.Context, batch []*pendingCast) ([]int64, error) {
	var ids []int64
	err := database.SQLTx(ctx, s.db, func(tx *sql.Tx) error {
		var err error
		ids, err = s.insertCastBatchTx(ctx, tx, batch)
		return err
	})
	return ids, err
}

// Batch sizes. A batch binds 6 parameters a ballot; the pure-Go SQLite driver
// binds in time quadratic in the parameters of a statement, hence its smaller batch.
const (
	castBatchSQLite  = 32
	castBatchMySQL   = 64
	castWritersMySQL = 2
	readBatch        = 64
	readWorkers      = 2
)
