package voting

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

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

// insertContentSQL writes what a ballot chose.
const insertContentSQL = "INSERT INTO ballot_contents (ballot_id, vote_id, choices, nonce) VALUES (?, ?, ?, ?)"

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
