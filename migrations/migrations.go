// Package migrations embeds the numbered SQL migrations, one directory per dialect
// (sqlite/ and mysql/, kept in step: the same numbers, the same tables). They are
// applied by goose at start-up; see app/database.
package migrations

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed sqlite/*.sql mysql/*.sql
var files embed.FS

// For returns the migrations of one dialect ("sqlite" or "mysql").
func For(dialect string) (fs.FS, error) {
	switch dialect {
	case "sqlite", "mysql":
		sub, err := fs.Sub(files, dialect)
		if err != nil {
			return nil, fmt.Errorf("migrations for %s: %w", dialect, err)
		}
		return sub, nil
	}
	return nil, fmt.Errorf("migrations: unknown dialect %q", dialect)
}
