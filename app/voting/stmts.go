package voting

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"gongzhi/models"
)

// preparedStatements holds the statements of a cast written on its own (a lone
// cast, or one of a batch refused as a whole), prepared once on the connection
// pool: MySQL then receives only the values (binary protocol) instead of a query
// text to parse. database/sql re-prepares them on each pooled connection the first
// time it is used there.
type preparedStatements struct {
	once       sync.Once
	err        error
	credential *sql.Stmt // models.CredentialByTokenHashQuery, no lock
	ballot     *sql.Stmt // onlineBallotSQL
	content    *sql.Stmt // guardedContentSQL
}

// insertContentSQL writes what a ballot chose.
const insertContentSQL = "INSERT INTO ballot_contents (ballot_id, vote_id, choices, nonce) VALUES (?, ?, ?, ?)"

// prepared returns the cast statements, preparing them on first use. It must be
// called outside a transaction: preparing takes a pooled connection of its own.
func (s *Service) prepared(ctx context.Context) (*preparedStatements, error) {
	ps := &s.stmts
	ps.once.Do(func() {
		sqlDB, err := s.db.DB()
		if err != nil {
			ps.err = fmt.Errorf("database handle: %w", err)
			return
		}
		// Prepared for the life of the service, not of this request.
		ctx := context.WithoutCancel(ctx)
		for _, p := range []struct {
			dst   **sql.Stmt
			query string
		}{
			{&ps.credential, models.CredentialByTokenHashQuery("")},
			{&ps.ballot, onlineBallotSQL},
			{&ps.content, guardedContentSQL},
		} {
			if *p.dst, ps.err = sqlDB.PrepareContext(ctx, p.query); ps.err != nil {
				ps.err = fmt.Errorf("preparing cast statements: %w", ps.err)
				return
			}
		}
	})
	if ps.err != nil {
		return nil, ps.err
	}
	return ps, nil
}
