// Package dbtest gives tests real databases with the real migrations applied:
// a fresh SQLite file in t.TempDir() always, and a fresh MariaDB/MySQL database
// when TEST_MYSQL_DSN is set (created for the test and dropped after it). With
// REQUIRE_MYSQL=1 a missing or unreachable MySQL fails the test instead of
// skipping it, so CI cannot pass without running the MySQL half.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"gongzhi/app/database"
)

// DB is one test database of a dialect.
type DB struct {
	Dialect string // "sqlite" or "mysql"
	DSN     string
	*gorm.DB
}

// SQLite opens a migrated SQLite database in a temporary directory.
func SQLite(t testing.TB) DB {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "test.db")
	return open(t, "sqlite", dsn)
}

// MySQLDSN returns TEST_MYSQL_DSN, skipping (or failing under REQUIRE_MYSQL=1)
// when it is not set.
func MySQLDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("TEST_MYSQL_DSN")
	if dsn == "" {
		if os.Getenv("REQUIRE_MYSQL") == "1" {
			t.Fatal("REQUIRE_MYSQL=1 but TEST_MYSQL_DSN is not set")
		}
		t.Skip("TEST_MYSQL_DSN not set: MySQL tests skipped")
	}
	return dsn
}

// MySQL creates a fresh database on the TEST_MYSQL_DSN server, migrates it, and
// drops it when the test ends.
func MySQL(t testing.TB) DB {
	t.Helper()
	dsn := CreateMySQLDatabase(t, MySQLDSN(t))
	return open(t, "mysql", dsn)
}

// CreateMySQLDatabase creates an empty database named for the test on the server
// of baseDSN and returns a DSN pointing at it; the database is dropped at cleanup.
func CreateMySQLDatabase(t testing.TB, baseDSN string) string {
	t.Helper()
	cfg, err := mysqldriver.ParseDSN(baseDSN)
	if err != nil {
		t.Fatalf("TEST_MYSQL_DSN: %v", err)
	}
	buf := make([]byte, 6)
	if _, err := rand.Read(buf); err != nil {
		t.Fatal(err)
	}
	name := "gz_test_" + hex.EncodeToString(buf)
	admin := cfg.Clone()
	admin.DBName = ""
	conn, err := sql.Open("mysql", admin.FormatDSN())
	if err != nil {
		t.Fatalf("opening MySQL: %v", err)
	}
	defer conn.Close()
	if _, err := conn.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("creating test database (is MariaDB running at TEST_MYSQL_DSN?): %v", err)
	}
	t.Cleanup(func() {
		c, err := sql.Open("mysql", admin.FormatDSN())
		if err != nil {
			t.Logf("dropping %s: %v", name, err)
			return
		}
		defer c.Close()
		if _, err := c.Exec("DROP DATABASE IF EXISTS " + name); err != nil {
			t.Logf("dropping %s: %v", name, err)
		}
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}

func open(t testing.TB, dialect, dsn string) DB {
	t.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, database.Options{Driver: dialect, DSN: dsn})
	if err != nil {
		t.Fatalf("opening %s: %v", dialect, err)
	}
	t.Cleanup(func() { _ = database.Close(db) })
	if _, err := database.Migrate(ctx, db); err != nil {
		t.Fatalf("migrating %s: %v", dialect, err)
	}
	return DB{Dialect: dialect, DSN: dsn, DB: db}
}

// Each runs fn as a subtest on SQLite and on MySQL (when configured).
func Each(t *testing.T, fn func(t *testing.T, db DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("mysql", func(t *testing.T) { fn(t, MySQL(t)) })
}

// Name describes the database for messages.
func (d DB) Name() string { return fmt.Sprintf("%s test database", d.Dialect) }
