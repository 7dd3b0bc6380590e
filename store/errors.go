package store

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
	moderncsqlite "modernc.org/sqlite" // the pure-Go engine the embedded Temporal server registers as "sqlite" too

	"github.com/wuye/wuye/models"
)

// translate turns GORM and driver errors into the sentinels of package models.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return models.ErrNotFound
	}
	if unreachable(err) {
		return fmt.Errorf("%w: %v", models.ErrUnavailable, err)
	}
	var my *mysqldriver.MySQLError
	if errors.As(err, &my) && my.Number == 1062 {
		return fmt.Errorf("%w: %v", models.ErrConflict, err)
	}
	var lite *moderncsqlite.Error
	// SQLITE_CONSTRAINT_UNIQUE (2067) and SQLITE_CONSTRAINT_PRIMARYKEY (1555).
	if errors.As(err, &lite) && (lite.Code() == 2067 || lite.Code() == 1555) {
		return fmt.Errorf("%w: %v", models.ErrConflict, err)
	}
	return err
}

// isDeadlock reports MySQL's "Deadlock found when trying to get lock"
// (1213): the transaction was rolled back and may run again.
func isDeadlock(err error) bool {
	var my *mysqldriver.MySQLError
	return errors.As(err, &my) && my.Number == 1213
}

// unreachable reports errors that mean the database is not there (closed,
// connection refused or dropped) rather than that the statement was wrong.
func unreachable(err error) bool {
	var netErr net.Error
	return errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, mysqldriver.ErrInvalidConn) || errors.As(err, &netErr) ||
		strings.Contains(err.Error(), "database is closed")
}
