// Package database opens the platform's database (embedded SQLite or MySQL/MariaDB
// through GORM), applies the numbered migrations with goose, and runs use cases in
// transactions. It is the only place that knows about drivers and dialects.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/pressly/goose/v3"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"gongzhi/migrations"
)

// Options says which database to open.
type Options struct {
	Driver string // "sqlite" or "mysql"
	DSN    string // a SQLite file path, or a MySQL DSN
	Logger *slog.Logger
}

// Open connects to the database and tunes the pool for the dialect. For SQLite it
// creates the file's directory and turns on WAL, a busy timeout, foreign keys and
// immediate write transactions; for MySQL it adds parseTime, utf8mb4 and UTC.
func Open(ctx context.Context, opt Options) (*gorm.DB, error) {
	cfg := &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true,
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	var (
		db  *gorm.DB
		err error
	)
	switch opt.Driver {
	case "sqlite":
		dsn, derr := sqliteDSN(opt.DSN)
		if derr != nil {
			return nil, derr
		}
		db, err = gorm.Open(sqlite.Open(dsn), cfg)
	case "mysql":
		dsn, derr := MySQLDSN(opt.DSN)
		if derr != nil {
			return nil, derr
		}
		db, err = gorm.Open(mysql.Open(dsn), cfg)
	default:
		return nil, fmt.Errorf("database: unknown driver %q", opt.Driver)
	}
	if err != nil {
		return nil, fmt.Errorf("opening %s database: %w", opt.Driver, err)
	}
	if err := db.Use(newWriterGate(opt.Driver == "sqlite")); err != nil {
		return nil, fmt.Errorf("installing the writer gate: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("database handle: %w", err)
	}
	if opt.Driver == "sqlite" {
		// One writer at a time is all SQLite allows; WAL lets readers go on meanwhile.
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(8)
	} else {
		sqlDB.SetMaxOpenConns(100)
		sqlDB.SetMaxIdleConns(100)
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("reaching the %s database: %w", opt.Driver, err)
	}
	return db, nil
}

func sqliteDSN(path string) (string, error) {
	if path == "" {
		return "", errors.New("database: empty SQLite path")
	}
	file, query, _ := strings.Cut(path, "?")
	if file != ":memory:" && !strings.HasPrefix(file, "file:") {
		if dir := filepath.Dir(file); dir != "." {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return "", fmt.Errorf("creating the database directory: %w", err)
			}
		}
	}
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_pragma=temp_store(MEMORY)&_pragma=recursive_triggers(1)&_pragma=cache_size(-32768)&_txlock=immediate"
	if query != "" {
		return file + "?" + query + "&" + pragmas, nil
	}
	return file + "?" + pragmas, nil
}

// MySQLDSN parses a MySQL DSN and sets the options the platform relies on:
// parseTime, utf8mb4, UTC times, parameters interpolated by the driver.
func MySQLDSN(dsn string) (string, error) {
	c, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		return "", fmt.Errorf("DB_DSN is not a MySQL DSN: %w", err)
	}
	c.ParseTime = true
	c.Loc = time.UTC
	// A statement with parameters is sent as one query, its values escaped by the
	// driver, instead of a prepare, an execute and a close: a third of the round
	// trips for every ORM query.
	c.InterpolateParams = true
	if c.Params == nil {
		c.Params = map[string]string{}
	}
	c.Params["charset"] = "utf8mb4"
	c.Collation = "utf8mb4_unicode_ci"
	c.Params["time_zone"] = "'+00:00'"
	return c.FormatDSN(), nil
}

// gooseDialect is goose's name for the dialect d.
func gooseDialect(d Dialect) goose.Dialect {
	if d.MySQL() {
		return goose.DialectMySQL
	}
	return goose.DialectSQLite3
}

func provider(db *gorm.DB) (*goose.Provider, *sql.DB, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return nil, nil, fmt.Errorf("database handle: %w", err)
	}
	d := DialectOf(db)
	fsys, err := migrations.For(d.Name())
	if err != nil {
		return nil, nil, err
	}
	p, err := goose.NewProvider(gooseDialect(d), sqlDB, fsys)
	if err != nil {
		return nil, nil, fmt.Errorf("migration provider: %w", err)
	}
	return p, sqlDB, nil
}

// Migrate applies every pending migration and returns how many it applied. On MySQL
// an advisory lock keeps two starting instances from migrating at once.
func Migrate(ctx context.Context, db *gorm.DB) (int, error) {
	p, sqlDB, err := provider(db)
	if err != nil {
		return 0, err
	}
	if DialectOf(db).MySQL() {
		conn, err := sqlDB.Conn(ctx)
		if err != nil {
			return 0, fmt.Errorf("migration lock connection: %w", err)
		}
		defer conn.Close()
		var got sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK('gongzhi_migrate', 120)").Scan(&got); err != nil || got.Int64 != 1 {
			return 0, fmt.Errorf("taking the migration lock: %w", errors.Join(err, errors.New("lock not granted")))
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK('gongzhi_migrate')") //nolint:errcheck // released with the connection anyway
	}
	results, err := p.Up(ctx)
	if err != nil {
		return len(results), fmt.Errorf("applying migrations: %w", err)
	}
	return len(results), nil
}

// Pending tells whether migrations are waiting to be applied.
func Pending(ctx context.Context, db *gorm.DB) (bool, error) {
	p, _, err := provider(db)
	if err != nil {
		return false, err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("checking migrations: %w", err)
	}
	return pending, nil
}

// Version returns the schema version the database is at.
func Version(ctx context.Context, db *gorm.DB) (int64, error) {
	p, _, err := provider(db)
	if err != nil {
		return 0, err
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("reading schema version: %w", err)
	}
	return v, nil
}

// Close releases the connection pool.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("database handle: %w", err)
	}
	if err := sqlDB.Close(); err != nil {
		return fmt.Errorf("closing the database: %w", err)
	}
	return nil
}
