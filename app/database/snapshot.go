package database

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// ReadSnapshot runs fn on one connection inside a read-only transaction in which
// every read sees the same snapshot of the database, so a check that reads several
// tables (or one table in several queries) is never confused by a writer committing
// between its reads. On MariaDB/MySQL it is START TRANSACTION WITH CONSISTENT
// SNAPSHOT, READ ONLY at REPEATABLE READ; on SQLite a deferred transaction, whose
// first read fixes its snapshot (WAL mode: writers go on meanwhile). Nothing fn does
// is committed: the transaction is rolled back at the end. fn must only read.
func ReadSnapshot(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	return db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		begin := []string{"BEGIN DEFERRED"}
		if DialectOf(db).MySQL() {
			begin = []string{"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"}
		}
		for _, q := range begin {
			if err := conn.Exec(q).Error; err != nil {
				return fmt.Errorf("starting a read snapshot: %w", err)
			}
		}
		err := fn(conn.Session(&gorm.Session{NewDB: true})) // a clean statement per query, on this connection
		if rb := conn.Exec("ROLLBACK").Error; rb != nil && err == nil {
			err = fmt.Errorf("ending a read snapshot: %w", rb)
		}
		return err
	})
}
