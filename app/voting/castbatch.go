package voting

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
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
	err := s.inSQLTx(ctx, func(tx *sql.Tx) error {
		var err error
		ids, err = s.insertCastBatchTx(ctx, tx, batch)
		return err
	})
	return ids, err
}

func (s *Service) insertCastBatchTx(ctx context.Context, tx *sql.Tx, batch []*pendingCast) ([]int64, error) {
	// The votes must still be open and the links active, read under a shared lock
	// that a close, and an identity check counting a wrong answer, wait for. A
	// batch holds one cast per voter, hence one credential per cast.
	credIDs := make([]any, len(batch))
	for i, p := range batch {
		credIDs[i] = p.credentialID
	}
	rows, err := tx.QueryContext(ctx, "SELECT c.id FROM vote_credentials c JOIN votes v ON v.id = c.vote_id WHERE c.id IN ("+
		placeholders(len(credIDs))+") AND c.status = 'active' AND v.state = 'open'"+s.shareLock, credIDs...)
	if err != nil {
		return nil, fmt.Errorf("checking the votes are open and the links active: %w", err)
	}
	usable := 0
	for rows.Next() {
		usable++
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("checking the votes are open and the links active: %w", err)
	}
	if usable != len(batch) {
		return nil, errBatchRefused
	}

	args := make([]any, 0, 6*len(batch))
	for _, p := range batch {
		args = append(args, p.voteID, p.voterID, p.attempt, p.credentialID, p.castAt, p.receipt)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO ballots (vote_id, voter_id, attempt, channel, credential_id, cast_at, receipt,
		entered_by, entered_by_name, proxy_name, proxy_id_hash, proxy_id_masked, proxy_authorisation, note) VALUES `+
		rowsOf(len(batch), "(?, ?, ?, 'online', ?, ?, ?, NULL, '', '', '', '', '', '')"), args...)
	if err != nil {
		if isDuplicate(s.db, err) {
			return nil, errBatchRefused
		}
		return nil, fmt.Errorf("writing ballots: %w", err)
	}

	// The ids, by receipt (unique): multi-row inserts need not number their rows
	// consecutively on every engine.
	receipts := make([]any, len(batch))
	for i, p := range batch {
		receipts[i] = p.receipt
	}
	rows, err = tx.QueryContext(ctx, "SELECT id, receipt FROM ballots WHERE receipt IN ("+placeholders(len(batch))+")", receipts...)
	if err != nil {
		return nil, fmt.Errorf("reading ballot ids: %w", err)
	}
	byReceipt := make(map[string]int64, len(batch))
	for rows.Next() {
		var id int64
		var receipt string
		if err := rows.Scan(&id, &receipt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading ballot ids: %w", err)
		}
		byReceipt[receipt] = id
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("reading ballot ids: %w", err)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading ballot ids: %w", err)
	}

	ids := make([]int64, len(batch))
	args = args[:0]
	for i, p := range batch {
		id, ok := byReceipt[p.receipt]
		if !ok {
			return nil, fmt.Errorf("ballot %s not found after its insert", p.receipt)
		}
		ids[i] = id
		args = append(args, id, p.voteID, p.choices, p.nonce)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO ballot_contents (ballot_id, vote_id, choices, nonce) VALUES "+
		rowsOf(len(batch), "(?, ?, ?, ?)"), args...); err != nil {
		return nil, fmt.Errorf("writing ballot contents: %w", err)
	}
	return ids, nil
}

// writeCast writes one online ballot in its own transaction: the ballot, then its
// content guarded by the vote's state and the link's (see guardedContentSQL).
func (s *Service) writeCast(ctx context.Context, p *pendingCast) castOutcome {
	ps, err := s.prepared(ctx)
	if err != nil {
		return castOutcome{err: err}
	}
	var out castOutcome
	err = s.inSQLTx(ctx, func(tx *sql.Tx) error {
		out = castOutcome{}
		res, err := tx.StmtContext(ctx, ps.ballot).ExecContext(ctx, p.voteID, p.voterID, p.attempt, p.credentialID, p.castAt, p.receipt)
		if err != nil {
			if isDuplicate(s.db, err) {
				return s.alreadyVotedTx(ctx, tx, p.voteID, p.voterID)
			}
			return fmt.Errorf("writing ballot: %w", err)
		}
		if out.ballotID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("ballot id: %w", err)
		}
		res, err = tx.StmtContext(ctx, ps.content).ExecContext(ctx, out.ballotID, p.choices, p.nonce, p.voteID, p.credentialID)
		if err != nil {
			return fmt.Errorf("writing ballot content: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errRefusedBallot
		}
		return nil
	})
	if err != nil {
		return castOutcome{err: err}
	}
	return out
}

// placeholders is n comma-separated question marks.
func placeholders(n int) string { return rowsOf(n, "?") }

// rowsOf repeats row n times, comma-separated.
func rowsOf(n int, row string) string {
	var sb strings.Builder
	sb.Grow(n * (len(row) + 2))
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(row)
	}
	return sb.String()
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
