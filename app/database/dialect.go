package database

import (
	"errors"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// Dialect is what differs between the two databases the platform runs on, in one
// place: the locking clauses, the batch sizes and how errors are recognised.
// Services ask DialectOf(db) instead of comparing driver names themselves.
type Dialect struct {
	name string
}

// DialectOf returns the dialect of db.
func DialectOf(db *gorm.DB) Dialect {
	if db.Dialector.Name() == "mysql" {
		return Dialect{name: "mysql"}
	}
	return Dialect{name: "sqlite"}
}

// Name is "mysql" (MySQL, MariaDB, TiDB) or "sqlite".
func (d Dialect) Name() string { return d.name }

// MySQL tells whether the database is MySQL, MariaDB or TiDB.
func (d Dialect) MySQL() bool { return d.name == "mysql" }

// SQLite tells whether the database is the embedded SQLite.
func (d Dialect) SQLite() bool { return d.name != "mysql" }

// ShareLock is the clause that takes a shared row lock on a SELECT (" LOCK IN
// SHARE MODE" on MySQL); empty on SQLite, whose write transactions are serialised.
func (d Dialect) ShareLock() string {
	if d.MySQL() {
		return " LOCK IN SHARE MODE"
	}
	return ""
}

// ForUpdate is the clause that takes an exclusive row lock on a SELECT (" FOR
// UPDATE" on MySQL); empty on SQLite.
func (d Dialect) ForUpdate() string {
	if d.MySQL() {
		return " FOR UPDATE"
	}
	return ""
}

// InsertBatchRows is the number of rows per multi-row INSERT. MySQL takes 500 rows
// (far below its placeholder limit). The pure-Go SQLite driver binds parameters in
// time quadratic in their number per statement, so SQLite gets 25-row statements,
// which measured fastest there.
func (d Dialect) InsertBatchRows() int {
	if d.MySQL() {
		return 500
	}
	return 25
}

// Retryable reports an error after which MySQL has rolled the whole transaction
// back and running it again may succeed: a deadlock (1213) or a lock wait timeout
// (1205). SQLite never needs it: its writers are serialised (see Tx).
func (d Dialect) Retryable(err error) bool { return retryable(err) }

func retryable(err error) bool {
	var me *mysqldriver.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}

// IsDuplicate tells whether err is a unique-key violation, whether it came through
// GORM (translated) or from a statement run on database/sql directly (raw driver
// error of either dialect).
func IsDuplicate(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	var me *mysqldriver.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1062
	}
	return sqliteDuplicate(err)
}
