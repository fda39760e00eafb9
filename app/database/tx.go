package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	gosqlite "github.com/glebarez/go-sqlite"
	"gorm.io/gorm"
	sqlite3 "modernc.org/sqlite/lib"
)

// Every use case that writes runs in one transaction through Tx (GORM) or SQLTx
// (database/sql, for the online cast's hand-written statements). Both apply the
// same two rules:
//
//   - SQLite: write transactions run one at a time within the process, through one
//     gate shared by every service on the same *gorm.DB (installed by Open as a
//     GORM plugin), so writers queue in Go instead of polling SQLite's busy handler.
//   - MySQL: a transaction rolled back whole for a deadlock or a lock wait timeout
//     is run again, up to four times in all, after a short random pause.
//
// fn may therefore run more than once: it must not change anything outside the
// transaction except on its final, successful run (assign results, do not append).

const txAttempts = 4

// Tx runs fn in one GORM transaction bound to ctx: committed when fn returns nil,
// rolled back otherwise (and on panic), retried as described above.
func Tx(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	gate := gateOf(db)
	return withRetries(ctx, gate, func() error { return db.WithContext(ctx).Transaction(fn) })
}

// TxOpts is Tx with transaction options (nil: the defaults); on SQLite the options
// are not passed (the driver knows one isolation level).
func TxOpts(ctx context.Context, db *gorm.DB, opts *sql.TxOptions, fn func(tx *gorm.DB) error) error {
	gate := gateOf(db)
	if !DialectOf(db).MySQL() {
		opts = nil
	}
	return withRetries(ctx, gate, func() error {
		if opts == nil {
			return db.WithContext(ctx).Transaction(fn)
		}
		return db.WithContext(ctx).Transaction(fn, opts)
	})
}

// SQLTx runs fn in one database/sql transaction (without the ORM in the way), with
// the same serialisation and retries as Tx.
func SQLTx(ctx context.Context, db *gorm.DB, fn func(tx *sql.Tx) error) error {
	return SQLTxOpts(ctx, db, nil, fn)
}

// SQLTxOpts is SQLTx with transaction options (nil: the defaults). On SQLite the
// options are not passed (the driver knows one isolation level).
func SQLTxOpts(ctx context.Context, db *gorm.DB, opts *sql.TxOptions, fn func(tx *sql.Tx) error) error {
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("database handle: %w", err)
	}
	gate := gateOf(db)
	if !DialectOf(db).MySQL() {
		opts = nil
	}
	return withRetries(ctx, gate, func() error {
		tx, err := sqlDB.BeginTx(ctx, opts)
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

// Serialised runs fn under the SQLite writer gate (directly on MySQL), for callers
// that manage a transaction of their own (such as a batch writer holding one
// across several statements).
func Serialised(db *gorm.DB, fn func() error) error {
	if g := gateOf(db); g != nil {
		g.Lock()
		defer g.Unlock()
	}
	return fn()
}

func withRetries(ctx context.Context, gate *sync.Mutex, tx func() error) error {
	for i := 0; ; i++ {
		err := serialised(gate, tx)
		if err == nil || i == txAttempts-1 || !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(1+rand.IntN(10*(i+1))) * time.Millisecond):
		}
	}
}

func serialised(gate *sync.Mutex, tx func() error) error {
	if gate != nil {
		gate.Lock()
		defer gate.Unlock()
	}
	return tx()
}

// writerGate is the GORM plugin that carries the SQLite writer mutex with the
// *gorm.DB, so every service built on the same database shares it.
type writerGate struct{ mu *sync.Mutex }

const gateName = "gongzhi:writer-gate"

func newWriterGate(sqlite bool) *writerGate {
	if sqlite {
		return &writerGate{mu: &sync.Mutex{}}
	}
	return &writerGate{}
}

func (g *writerGate) Name() string                 { return gateName }
func (g *writerGate) Initialize(db *gorm.DB) error { return nil }

// gateOf is the writer mutex of db: nil on MySQL, and on a SQLite database not
// opened through Open (then writers rely on SQLite's busy timeout alone).
func gateOf(db *gorm.DB) *sync.Mutex {
	if db == nil || db.Config == nil {
		return nil
	}
	if p, ok := db.Config.Plugins[gateName].(*writerGate); ok {
		return p.mu
	}
	return nil
}

func sqliteDuplicate(err error) bool {
	var se *gosqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}
