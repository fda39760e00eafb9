package database_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"database/sql"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"gongzhi/app/database"
	"gongzhi/app/database/dbtest"
)

// probeTable creates a table with an auto-increment id, a unique key and a
// counter row, in the dialect's DDL.
func probeTable(t *testing.T, db dbtest.DB) {
	t.Helper()
	ddl := []string{
		"CREATE TABLE tx_probe (id INTEGER PRIMARY KEY AUTOINCREMENT, k INTEGER NOT NULL UNIQUE, name TEXT NOT NULL)",
		"CREATE TABLE tx_counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
	}
	if database.DialectOf(db.DB).MySQL() {
		ddl = []string{
			"CREATE TABLE tx_probe (id BIGINT AUTO_INCREMENT PRIMARY KEY, k BIGINT NOT NULL, name VARCHAR(64) NOT NULL, UNIQUE KEY uq_tx_probe_k (k)) ENGINE=InnoDB",
			"CREATE TABLE tx_counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL) ENGINE=InnoDB",
		}
	}
	for _, s := range append(ddl, "INSERT INTO tx_counter (id, n) VALUES (1, 0)") {
		if err := db.DB.Exec(s).Error; err != nil {
			t.Fatal(err)
		}
	}
}

// eachProbe runs fn on both databases, each with the probe tables created.
func eachProbe(t *testing.T, fn func(t *testing.T, ctx context.Context, db dbtest.DB)) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		probeTable(t, db)
		fn(t, context.Background(), db)
	})
}

// wantProbeRows fails the test unless tx_probe holds want rows.
func wantProbeRows(t *testing.T, db *gorm.DB, want int64, after string) {
	t.Helper()
	if n := probeCount(t, db); n != want {
		t.Errorf("%d rows after %s, want %d", n, after, want)
	}
}

func probeCount(t *testing.T, db *gorm.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Raw("SELECT COUNT(*) FROM tx_probe").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// Tx commits what fn wrote when fn returns nil, and rolls all of it back when fn
// returns an error or panics.
func TestTxCommitsAndRollsBack(t *testing.T) {
	eachProbe(t, func(t *testing.T, ctx context.Context, db dbtest.DB) {
		if err := database.Tx(ctx, db.DB, func(tx *gorm.DB) error {
			return tx.Exec("INSERT INTO tx_probe (k, name) VALUES (1, 'kept')").Error
		}); err != nil {
			t.Fatal(err)
		}
		refused := errors.New("refused")
		err := database.Tx(ctx, db.DB, func(tx *gorm.DB) error {
			if err := tx.Exec("INSERT INTO tx_probe (k, name) VALUES (2, 'dropped')").Error; err != nil {
				return err
			}
			return refused
		})
		if !errors.Is(err, refused) {
			t.Fatalf("Tx returned %v, want fn's error", err)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Error("a panic in fn was swallowed")
				}
			}()
			_ = database.Tx(ctx, db.DB, func(tx *gorm.DB) error {
				if err := tx.Exec("INSERT INTO tx_probe (k, name) VALUES (3, 'dropped')").Error; err != nil {
					return err
				}
				panic("fn panics")
			})
		}()
		wantProbeRows(t, db.DB, 1, "one commit, one error and one panic")
		// The gate was released by the panicking transaction: another one runs.
		if err := database.Tx(ctx, db.DB, func(tx *gorm.DB) error { return nil }); err != nil {
			t.Fatal(err)
		}
		// SQLTx alike.
		if err := database.SQLTx(ctx, db.DB, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO tx_probe (k, name) VALUES (4, 'kept')")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		err = database.SQLTx(ctx, db.DB, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO tx_probe (k, name) VALUES (5, 'dropped')"); err != nil {
				return err
			}
			return refused
		})
		if !errors.Is(err, refused) {
			t.Fatalf("SQLTx returned %v, want fn's error", err)
		}
		wantProbeRows(t, db.DB, 2, "two commits")
	})
}

// A transaction MySQL rolled back for a deadlock (1213) or a lock wait timeout
// (1205) is run again, up to four times in all, and only its last run's writes
// remain; any other error ends it at once.
func TestTxRetriesOnlyRetryableErrors(t *testing.T) {
	eachProbe(t, func(t *testing.T, ctx context.Context, db dbtest.DB) {
		for _, number := range []uint16{1213, 1205} {
			runs := 0
			err := database.Tx(ctx, db.DB, func(tx *gorm.DB) error {
				runs++
				if err := tx.Exec("INSERT INTO tx_probe (k, name) VALUES (?, 'retried')", number).Error; err != nil {
					return err
				}
				if runs == 1 {
					return fmt.Errorf("wrapped: %w", &mysqldriver.MySQLError{Number: number, Message: "simulated"})
				}
				return nil
			})
			if err != nil || runs != 2 {
				t.Errorf("error %d: Tx returned %v after %d runs, want nil after 2", number, err, runs)
			}
			sqlRuns := 0
			err = database.SQLTx(ctx, db.DB, func(tx *sql.Tx) error {
				sqlRuns++
				if _, err := tx.ExecContext(ctx, "INSERT INTO tx_probe (k, name) VALUES (?, 'retried')", 10000+int(number)); err != nil {
					return err
				}
				if sqlRuns == 1 {
					return &mysqldriver.MySQLError{Number: number, Message: "simulated"}
				}
				return nil
			})
			if err != nil || sqlRuns != 2 {
				t.Errorf("error %d: SQLTx returned %v after %d runs, want nil after 2", number, err, sqlRuns)
			}
		}
		wantProbeRows(t, db.DB, 4, "four retried transactions (the first runs rolled back)")

		always := 0
		err := database.Tx(ctx, db.DB, func(tx *gorm.DB) error {
			always++
			return &mysqldriver.MySQLError{Number: 1213, Message: "simulated"}
		})
		if !database.DialectOf(db.DB).Retryable(err) || always != 4 {
			t.Errorf("a transaction deadlocking every time: %v after %d runs, want the deadlock after 4", err, always)
		}

		for _, other := range []error{
			&mysqldriver.MySQLError{Number: 1062, Message: "duplicate"},
			&mysqldriver.MySQLError{Number: 1146, Message: "no such table"},
			errors.New("plain"),
		} {
			runs := 0
			err := database.Tx(ctx, db.DB, func(tx *gorm.DB) error { runs++; return other })
			if !errors.Is(err, other) || runs != 1 {
				t.Errorf("%v: returned %v after %d runs, want it after 1", other, err, runs)
			}
			sqlRuns := 0
			err = database.SQLTx(ctx, db.DB, func(tx *sql.Tx) error { sqlRuns++; return other })
			if !errors.Is(err, other) || sqlRuns != 1 {
				t.Errorf("SQLTx %v: returned %v after %d runs, want it after 1", other, err, sqlRuns)
			}
		}
	})
}

// Sixteen writers at once, each reading a counter and writing it back plus one,
// through Tx and SQLTx mixed: none fails (no SQLITE_BUSY, no lost update), and on
// SQLite no two of them are inside a transaction at the same time.
func TestConcurrentWritersSerialised(t *testing.T) {
	eachProbe(t, func(t *testing.T, ctx context.Context, db dbtest.DB) {
		d := database.DialectOf(db.DB)
		const writers = 16
		var active, most atomic.Int32
		enter := func() func() {
			n := active.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			return func() { active.Add(-1) }
		}
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for i := range writers {
			wg.Go(func() {
				var err error
				if i%2 == 0 {
					err = database.Tx(ctx, db.DB, func(tx *gorm.DB) error {
						defer enter()()
						var n int64
						if err := tx.Raw("SELECT n FROM tx_counter WHERE id = 1" + d.ForUpdate()).Scan(&n).Error; err != nil {
							return err
						}
						time.Sleep(time.Millisecond)
						if err := tx.Exec("INSERT INTO tx_probe (k, name) VALUES (?, 'gorm')", i).Error; err != nil {
							return err
						}
						return tx.Exec("UPDATE tx_counter SET n = ? WHERE id = 1", n+1).Error
					})
				} else {
					err = database.SQLTx(ctx, db.DB, func(tx *sql.Tx) error {
						defer enter()()
						var n int64
						if err := tx.QueryRowContext(ctx, "SELECT n FROM tx_counter WHERE id = 1"+d.ForUpdate()).Scan(&n); err != nil {
							return err
						}
						time.Sleep(time.Millisecond)
						if _, err := tx.ExecContext(ctx, "INSERT INTO tx_probe (k, name) VALUES (?, 'sql')", i); err != nil {
							return err
						}
						_, err := tx.ExecContext(ctx, "UPDATE tx_counter SET n = ? WHERE id = 1", n+1)
						return err
					})
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("writer failed: %v", err)
			}
		}
		var n int64
		if err := db.DB.Raw("SELECT n FROM tx_counter WHERE id = 1").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != writers || probeCount(t, db.DB) != writers {
			t.Errorf("counter %d, rows %d; want %d each", n, probeCount(t, db.DB), writers)
		}
		if d.SQLite() && most.Load() != 1 {
			t.Errorf("%d SQLite transactions ran at once, want 1", most.Load())
		}
	})
}

// On SQLite, Serialised, Tx and SQLTx share one gate per database: a transaction
// waits while Serialised holds it.
func TestSerialisedSharesTheGate(t *testing.T) {
	db := dbtest.SQLite(t)
	probeTable(t, db)
	ctx := context.Background()
	holding := make(chan struct{})
	release := make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- database.Serialised(db.DB, func() error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	var ran atomic.Bool
	done := make(chan error, 2)
	go func() {
		done <- database.Tx(ctx, db.DB.WithContext(ctx), func(tx *gorm.DB) error { ran.Store(true); return nil })
	}()
	go func() {
		done <- database.SQLTx(ctx, db.DB, func(tx *sql.Tx) error { ran.Store(true); return nil })
	}()
	time.Sleep(50 * time.Millisecond)
	if ran.Load() {
		t.Fatal("a transaction ran while Serialised held the gate")
	}
	close(release)
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if err := <-held; err != nil || !ran.Load() {
		t.Fatalf("Serialised: %v; transactions ran: %v", err, ran.Load())
	}
}

// IsDuplicate recognises a unique-key violation (and a primary-key one) however it
// arrives: translated by GORM, raw from database/sql, from BulkInsert, wrapped; and
// nothing else.
func TestIsDuplicateOnBothDrivers(t *testing.T) {
	eachProbe(t, func(t *testing.T, ctx context.Context, db dbtest.DB) {
		if err := db.DB.Exec("INSERT INTO tx_probe (id, k, name) VALUES (1, 1, 'first')").Error; err != nil {
			t.Fatal(err)
		}
		sqlDB, err := db.DB.DB()
		if err != nil {
			t.Fatal(err)
		}
		_, rawUnique := sqlDB.ExecContext(ctx, "INSERT INTO tx_probe (k, name) VALUES (1, 'again')")
		_, rawPrimary := sqlDB.ExecContext(ctx, "INSERT INTO tx_probe (id, k, name) VALUES (1, 2, 'again')")
		gormErr := db.DB.Table("tx_probe").Create(map[string]any{"k": 1, "name": "again"}).Error
		txErr := database.Tx(ctx, db.DB, func(tx *gorm.DB) error {
			return tx.Exec("INSERT INTO tx_probe (k, name) VALUES (1, 'again')").Error
		})
		sqlTxErr := database.SQLTx(ctx, db.DB, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO tx_probe (k, name) VALUES (1, 'again')")
			return err
		})
		bulkErr := database.Tx(ctx, db.DB, func(tx *gorm.DB) error {
			return database.BulkInsert(ctx, tx, "tx_probe", []string{"k", "name"}, [][]any{{7, "new"}, {1, "again"}})
		})
		for name, err := range map[string]error{"database/sql unique": rawUnique, "database/sql primary key": rawPrimary,
			"GORM": gormErr, "Tx": txErr, "SQLTx": sqlTxErr, "BulkInsert": bulkErr, "wrapped": fmt.Errorf("outer: %w", rawUnique)} {
			if !database.IsDuplicate(err) {
				t.Errorf("%s: %v (%T) not recognised as a duplicate", name, err, err)
			}
		}
		_, notNull := sqlDB.ExecContext(ctx, "INSERT INTO tx_probe (k, name) VALUES (3, NULL)")
		_, noTable := sqlDB.ExecContext(ctx, "INSERT INTO tx_nothing (k) VALUES (1)")
		for name, err := range map[string]error{"nil": nil, "NOT NULL": notNull, "no table": noTable, "plain": errors.New("x"),
			"deadlock": &mysqldriver.MySQLError{Number: 1213}} {
			if database.IsDuplicate(err) {
				t.Errorf("%s: %v taken for a duplicate", name, err)
			}
		}
		if notNull == nil || noTable == nil {
			t.Fatalf("the negative cases did not fail: %v, %v", notNull, noTable)
		}
		wantProbeRows(t, db.DB, 1, "refused duplicates")
	})
}

// BulkInsert writes rows over several full batches and a partial one, every value
// back as it went in, and refuses to run outside a transaction.
func TestBulkInsertRoundTrip(t *testing.T) {
	eachProbe(t, func(t *testing.T, ctx context.Context, db dbtest.DB) {
		batch := database.DialectOf(db.DB).InsertBatchRows()
		total := 3*batch + 7
		rows := make([][]any, total)
		for i := range rows {
			rows[i] = []any{i + 1, fmt.Sprintf("业主 O'Neil %d", i+1)}
		}
		if err := database.Tx(ctx, db.DB, func(tx *gorm.DB) error {
			return database.BulkInsert(ctx, tx, "tx_probe", []string{"k", "name"}, rows)
		}); err != nil {
			t.Fatal(err)
		}
		var got []struct {
			K    int
			Name string
		}
		if err := db.DB.Raw("SELECT k, name FROM tx_probe ORDER BY k").Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		if len(got) != total {
			t.Fatalf("%d rows back, want %d", len(got), total)
		}
		for i, r := range got {
			if r.K != rows[i][0] || r.Name != rows[i][1] {
				t.Fatalf("row %d back as %+v, want %v", i, r, rows[i])
			}
		}
		if err := database.Tx(ctx, db.DB, func(tx *gorm.DB) error {
			return database.BulkInsert(ctx, tx, "tx_probe", []string{"k", "name"}, nil)
		}); err != nil {
			t.Errorf("no rows: %v", err)
		}
		if err := database.BulkInsert(ctx, db.DB, "tx_probe", []string{"k", "name"}, [][]any{{-1, "x"}}); err == nil {
			t.Error("BulkInsert outside a transaction was accepted")
		}
	})
}

// The dialect's clauses and sizes.
func TestDialect(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := database.DialectOf(db.DB)
		if d.Name() != db.Dialect || d.MySQL() != (db.Dialect == "mysql") || d.SQLite() == d.MySQL() {
			t.Fatalf("dialect of a %s database: %q", db.Dialect, d.Name())
		}
		if d.MySQL() {
			if d.ShareLock() != " LOCK IN SHARE MODE" || d.ForUpdate() != " FOR UPDATE" || d.InsertBatchRows() != 500 {
				t.Errorf("MySQL: %q %q %d", d.ShareLock(), d.ForUpdate(), d.InsertBatchRows())
			}
		} else if d.ShareLock() != "" || d.ForUpdate() != "" || d.InsertBatchRows() != 25 {
			t.Errorf("SQLite: %q %q %d", d.ShareLock(), d.ForUpdate(), d.InsertBatchRows())
		}
		if !d.Retryable(&mysqldriver.MySQLError{Number: 1205}) || d.Retryable(&mysqldriver.MySQLError{Number: 1062}) || d.Retryable(nil) {
			t.Error("Retryable: want 1205 and 1213 only")
		}
	})
}

// TestTxOptsIsolation: on MySQL a TxOpts transaction at READ COMMITTED sees a row
// committed by another connection after its first read (Tx, at the default
// REPEATABLE READ, does not); on SQLite the options are dropped and it commits as Tx.
func TestTxOptsIsolation(t *testing.T) {
	eachProbe(t, func(t *testing.T, ctx context.Context, db dbtest.DB) {
		mysql := database.DialectOf(db.DB).MySQL()
		seen := func(opts *sql.TxOptions, k int) int64 {
			var second int64
			err := database.TxOpts(ctx, db.DB, opts, func(tx *gorm.DB) error {
				var first int64
				if err := tx.Raw("SELECT COUNT(*) FROM tx_probe").Scan(&first).Error; err != nil {
					return err
				}
				if mysql { // another connection commits a row meanwhile
					if err := db.DB.Exec("INSERT INTO tx_probe (k, name) VALUES (?, 'other')", k).Error; err != nil {
						return err
					}
				}
				if err := tx.Raw("SELECT COUNT(*) FROM tx_probe").Scan(&second).Error; err != nil {
					return err
				}
				return tx.Exec("INSERT INTO tx_probe (k, name) VALUES (?, 'own')", k+1000).Error
			})
			if err != nil {
				t.Fatal(err)
			}
			return second - probeCount(t, db.DB)
		}
		// second read minus the final count: -2 when the other row was not seen (it
		// and the own row came after), -1 when it was.
		rr := seen(nil, 1)
		rc := seen(&sql.TxOptions{Isolation: sql.LevelReadCommitted}, 2)
		if mysql && (rr != -2 || rc != -1) {
			t.Errorf("REPEATABLE READ saw %d, READ COMMITTED %d; want -2 and -1", rr, rc)
		}
		if !mysql && (rr != -1 || rc != -1) {
			t.Errorf("SQLite: %d %d, want -1 -1", rr, rc)
		}
	})
}
