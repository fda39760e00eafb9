package database_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"

	"gongzhi/app/database"
	"gongzhi/app/database/dbtest"
	"gongzhi/models"
)

// Migrations apply from zero (dbtest does that) and a second run is a no-op that
// leaves the data alone; the schema then reports no pending migration.
func TestMigrationsFromZeroAndIdempotent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		if err := db.Create(&models.Org{Kind: "city", Name: "测试市", Path: "/1/"}).Error; err != nil {
			t.Fatalf("insert after migration: %v", err)
		}
		n, err := database.Migrate(ctx, db.DB)
		if err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		if n != 0 {
			t.Fatalf("second migrate applied %d migrations, want 0", n)
		}
		pending, err := database.Pending(ctx, db.DB)
		if err != nil || pending {
			t.Fatalf("pending = %v, %v; want false", pending, err)
		}
		v, err := database.Version(ctx, db.DB)
		if err != nil || v < 2 {
			t.Fatalf("version = %d, %v", v, err)
		}
		var count int64
		if err := db.Model(&models.Org{}).Count(&count).Error; err != nil || count != 1 {
			t.Fatalf("orgs after re-migrate = %d, %v; want 1", count, err)
		}
	})
}

// The schema, not the code, keeps usernames unique: a duplicate is translated
// into gorm.ErrDuplicatedKey on both dialects.
func TestUniqueConstraintTranslated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		u := models.User{Username: "dup", PasswordHash: "x", Role: "admin"}
		if err := db.Create(&u).Error; err != nil {
			t.Fatal(err)
		}
		u2 := models.User{Username: "dup", PasswordHash: "y", Role: "admin"}
		if err := db.Create(&u2).Error; !database.IsDuplicate(err) {
			t.Fatalf("duplicate username: got %v, want a duplicate-key error", err)
		}
	})
}

func TestMySQLDSNAddsRequiredOptions(t *testing.T) {
	got, err := database.MySQLDSN("root:@tcp(127.0.0.1:3306)/test")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"parseTime=true", "charset=utf8mb4", "interpolateParams=true"} {
		if !contains(got, want) {
			t.Errorf("DSN %q lacks %q", got, want)
		}
	}
	parsed, err := mysqldriver.ParseDSN(got)
	if err != nil || parsed.Loc != time.UTC {
		t.Errorf("DSN %q does not read times as UTC (%v)", got, err)
	}
	if _, err := database.MySQLDSN("not a dsn"); err == nil {
		t.Error("a malformed DSN was accepted")
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// With interpolateParams the driver writes parameters into the statement text itself:
// every kind of value must come back exactly as it went in.
func TestInterpolatedParametersRoundTrip(t *testing.T) {
	db := dbtest.MySQL(t)
	if err := db.DB.Exec("CREATE TABLE interp (s TEXT NOT NULL, b BLOB NOT NULL, t DATETIME(6) NOT NULL, n BIGINT NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	str := "O'Brien \\ \" -- ; 小区业主 🏠 \x00 ? ?"
	blob := []byte{0, '\'', '\\', 0xff, '?'}
	at := time.Date(2026, 11, 21, 23, 59, 59, 123456000, time.UTC)
	if err := db.DB.Exec("INSERT INTO interp (s, b, t, n) VALUES (?, ?, ?, ?)", str, blob, at, int64(-1)<<62).Error; err != nil {
		t.Fatal(err)
	}
	var row struct {
		S string
		B []byte
		T time.Time
		N int64
	}
	if err := db.DB.Raw("SELECT s, b, t, n FROM interp WHERE s = ?", str).Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	if row.S != str || string(row.B) != string(blob) || !row.T.Equal(at) || row.N != int64(-1)<<62 {
		t.Errorf("read back %+v", row)
	}
}

// Every pooled SQLite connection commits durably (a receipted ballot must survive a
// power cut) and enforces foreign keys.
func TestSQLiteConnectionsAreDurable(t *testing.T) {
	db := dbtest.SQLite(t)
	sqlDB, err := db.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Hold several connections at once so that more than one is checked.
	var conns []*sql.Conn
	for range 3 {
		c, err := sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for i, c := range conns {
		var journal string
		var synchronous, foreignKeys int
		if err := c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&journal); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&synchronous); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&foreignKeys); err != nil {
			t.Fatal(err)
		}
		if journal != "wal" || synchronous != 2 || foreignKeys != 1 {
			t.Errorf("connection %d: journal %s, synchronous %d (2 = FULL), foreign_keys %d", i, journal, synchronous, foreignKeys)
		}
		_ = c.Close()
	}
}
