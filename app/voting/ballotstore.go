package voting

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	"gorm.io/gorm"

	"gongzhi/app/database"
	"gongzhi/models"
)

// The ballot store: every statement that writes ballots and what they chose,
// the prepared statements of the online cast and the database/sql transaction it
// runs in. Three writers share one column list: insertBallot (staff entry: paper,
// proxy; the attempt computed in the statement), writeCast (one online ballot, its
// content guarded by the vote's state and the link's) and insertCastBatchTx (a
// group commit's multi-row INSERTs, see castbatch.go).

// insertBallots starts every INSERT of a ballot row: who voted, never what.
const insertBallots = `INSERT INTO ballots (vote_id, voter_id, attempt, channel, credential_id, cast_at, receipt,
		entered_by, entered_by_name, proxy_name, proxy_id_hash, proxy_id_masked, proxy_authorisation, note, client_hash) `

// onlineBallotRow is the values of an online ballot: vote, voter, attempt,
// credential, cast time, receipt and the keyed hash of the client address (NULL
// when unknown); no staff entry, no proxy.
const onlineBallotRow = "(?, ?, ?, 'online', ?, ?, ?, NULL, '', '', '', '', '', '', ?)"

// insertBallotSQL writes who voted. The attempt is 1 + the voids of the voter's
// earlier ballots, computed in the same statement: while the voter holds a live
// ballot (attempt = voids + 1) the UNIQUE (vote_id, voter_id, attempt) key refuses
// the row, so one statement both numbers a re-entry after a void and enforces one
// live ballot per voter, whatever the channel and however many arrive at once.
const insertBallotSQL = insertBallots + `SELECT ?, ?, COUNT(*) + 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL
	FROM ballot_voids WHERE vote_id = ? AND voter_id = ?`

// onlineBallotSQL writes who voted online. The attempt is 1 + the voids of the
// voter's earlier ballots (read with the credential): while the voter holds a live
// ballot the UNIQUE (vote_id, voter_id, attempt) key refuses the row, so one live
// ballot per voter holds whatever the channel and however many arrive at once (a
// stale count can only name an attempt that already exists). Its foreign key makes
// InnoDB hold a shared lock on the vote row until the transaction ends.
const onlineBallotSQL = insertBallots + "VALUES " + onlineBallotRow

// insertContents starts every INSERT of what a ballot chose.
const insertContents = "INSERT INTO ballot_contents (ballot_id, vote_id, choices, nonce) "

// contentRow is the values of one ballot content.
const contentRow = "(?, ?, ?, ?)"

// insertContentSQL writes what a ballot chose.
const insertContentSQL = insertContents + "VALUES " + contentRow

// guardedContentSQL writes what the ballot chose only while the vote is open and the
// link still active, reading the vote row under the lock the ballot's foreign key
// took and the credential row under a shared lock (INSERT ... SELECT): a concurrent
// close (UPDATE votes ... WHERE state = 'open') waits for this transaction, so a
// ballot is either counted by the close or refused after it, and an identity check
// that locks the link meanwhile either waits for the ballot or refuses it. On SQLite
// one writer runs at a time.
const guardedContentSQL = insertContents + `SELECT ?, v.id, ?, ? FROM votes v JOIN vote_credentials c ON c.vote_id = v.id
	WHERE v.id = ? AND v.state = 'open' AND c.id = ? AND c.status = 'active'`

// preparedStatements holds the statements of a cast written on its own (a lone
// cast, or one of a batch refused as a whole), prepared once on the connection
// pool: MySQL then receives only the values (binary protocol) instead of a query
// text to parse. database/sql re-prepares them on each pooled connection the first
// time it is used there.
type preparedStatements struct {
	mu      sync.Mutex
	ready   bool
	ballot  *sql.Stmt // onlineBallotSQL
	content *sql.Stmt // guardedContentSQL
}

// prepared returns the cast statements, preparing them on first use; a failure
// (the database briefly unreachable) is tried again on the next call. It must be
// called outside a transaction: preparing takes a pooled connection of its own.
func (s *Service) prepared(ctx context.Context) (*preparedStatements, error) {
	ps := &s.stmts
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.ready {
		return ps, nil
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, fmt.Errorf("database handle: %w", err)
	}
	// Prepared for the life of the service, not of this request.
	ctx = context.WithoutCancel(ctx)
	ballot, err := sqlDB.PrepareContext(ctx, onlineBallotSQL)
	if err != nil {
		return nil, fmt.Errorf("preparing the ballot insert: %w", err)
	}
	content, err := sqlDB.PrepareContext(ctx, guardedContentSQL)
	if err != nil {
		_ = ballot.Close()
		return nil, fmt.Errorf("preparing the ballot content insert: %w", err)
	}
	ps.ballot, ps.content, ps.ready = ballot, content, true
	return ps, nil
}

// insertBallot writes who voted (ballots) and what was chosen (ballot_contents),
// two statements in the caller's transaction. A voter who already holds a live
// ballot gets nb.duplicate() (409).
func (s *Service) insertBallot(ctx context.Context, tx *gorm.DB, nb newBallot) (models.Ballot, error) {
	nonceRaw := make([]byte, 16)
	if _, err := rand.Read(nonceRaw); err != nil {
		return models.Ballot{}, fmt.Errorf("ballot nonce: %w", err)
	}
	nonce := hex.EncodeToString(nonceRaw)
	b := models.Ballot{VoteID: nb.voteID, VoterID: nb.voterID, Channel: nb.channel, CastAt: nb.castAt,
		Receipt: s.receiptCode(nb.voteID, nb.voterKey, nb.choices, nonce)}
	if nb.decorate != nil {
		nb.decorate(&b)
	}
	conn := tx.Statement.ConnPool
	res, err := conn.ExecContext(ctx, insertBallotSQL, b.VoteID, b.VoterID, b.Channel, b.CredentialID, b.CastAt, b.Receipt,
		b.EnteredBy, b.EnteredByName, b.ProxyName, b.ProxyIDHash, b.ProxyIDMasked, b.ProxyAuthorisation, b.Note, b.VoteID, b.VoterID)
	if err != nil {
		if database.IsDuplicate(err) {
			return b, nb.duplicate()
		}
		return b, fmt.Errorf("writing ballot: %w", err)
	}
	if b.ID, err = res.LastInsertId(); err != nil {
		return b, fmt.Errorf("ballot id: %w", err)
	}
	if _, err := conn.ExecContext(ctx, insertContentSQL, b.ID, b.VoteID, nb.choices, nonce); err != nil {
		return b, fmt.Errorf("writing ballot content: %w", err)
	}
	if err := s.appendLeaves(ctx, conn, b.VoteID, ballotLeaf(b.ID, b.Channel, b.Receipt, nb.area, nb.choices, b.CastAt)); err != nil {
		return b, err
	}
	return b, nil
}

// writeCast writes one online ballot in its own transaction: the ballot, then its
// content guarded by the vote's state and the link's (see guardedContentSQL).
func (s *Service) writeCast(ctx context.Context, p *pendingCast) castOutcome {
	ps, err := s.prepared(ctx)
	if err != nil {
		return castOutcome{err: err}
	}
	var out castOutcome
	err = database.SQLTx(ctx, s.db, func(tx *sql.Tx) error {
		out = castOutcome{}
		res, err := tx.StmtContext(ctx, ps.ballot).ExecContext(ctx, p.voteID, p.voterID, p.attempt, p.credentialID, p.castAt, p.receipt, p.clientHash)
		if err != nil {
			if database.IsDuplicate(err) {
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
	s.handLeaves(castLeaves([]*pendingCast{p}, []int64{out.ballotID}))
	return out
}

// insertCastBatchTx writes a batch of online ballots and their contents with
// multi-row INSERTs in tx, after checking under a shared lock that every vote is
// still open and every link active (errBatchRefused otherwise, and for a voter who
// already holds a ballot), and returns the ballot ids in batch order.
func (s *Service) insertCastBatchTx(ctx context.Context, tx *sql.Tx, batch []*pendingCast) ([]int64, error) {
	// The votes must still be open and the links active, read under a shared lock
	// that a close, and an identity check counting a wrong answer, wait for. A
	// batch holds one cast per voter, hence one credential per cast.
	credIDs := make([]any, len(batch))
	for i, p := range batch {
		credIDs[i] = p.credentialID
	}
	rows, err := tx.QueryContext(ctx, "SELECT c.id FROM vote_credentials c JOIN votes v ON v.id = c.vote_id WHERE c.id IN ("+
		placeholders(len(credIDs))+") AND c.status = 'active' AND v.state = 'open'"+s.dialect.ShareLock(), credIDs...)
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

	args := make([]any, 0, 7*len(batch))
	for _, p := range batch {
		args = append(args, p.voteID, p.voterID, p.attempt, p.credentialID, p.castAt, p.receipt, p.clientHash)
	}
	_, err = tx.ExecContext(ctx, insertBallots+"VALUES "+rowsOf(len(batch), onlineBallotRow), args...)
	if err != nil {
		if database.IsDuplicate(err) {
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
	if _, err := tx.ExecContext(ctx, insertContents+"VALUES "+rowsOf(len(batch), contentRow), args...); err != nil {
		return nil, fmt.Errorf("writing ballot contents: %w", err)
	}
	return ids, nil
}

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
