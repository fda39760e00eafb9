package database

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// BulkInsert writes rows into table with multi-row INSERT statements of the
// dialect's InsertBatchRows, preparing the full-batch statement once and reusing
// it. tx must be a transaction (from Tx). A unique-key violation comes back as an
// error IsDuplicate recognises.
func BulkInsert(ctx context.Context, tx *gorm.DB, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return fmt.Errorf("bulk insert into %s: not inside a transaction", table)
	}
	batch := DialectOf(tx).InsertBatchRows()
	statement := func(n int) string {
		one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
		return "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+",", n), ",")
	}
	var full *sql.Stmt
	if len(rows) >= batch {
		var err error
		if full, err = sqlTx.PrepareContext(ctx, statement(batch)); err != nil {
			return fmt.Errorf("preparing insert into %s: %w", table, err)
		}
		defer full.Close()
	}
	args := make([]any, 0, batch*len(cols))
	for start := 0; start < len(rows); start += batch {
		end := min(start+batch, len(rows))
		args = args[:0]
		for _, r := range rows[start:end] {
			args = append(args, r...)
		}
		var err error
		if end-start == batch {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = sqlTx.ExecContext(ctx, statement(end-start), args...)
		}
		if err != nil {
			if tr, ok := tx.Dialector.(gorm.ErrorTranslator); ok {
				err = tr.Translate(err)
			}
			return fmt.Errorf("inserting into %s: %w", table, err)
		}
	}
	return nil
}
