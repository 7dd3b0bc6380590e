// Package store keeps the service's records in SQLite or MySQL through GORM.
// Every method takes the request's context first and returns the sentinel
// errors of package models (ErrNotFound, ErrConflict) in place of GORM's.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
)

// Drivers.
const (
	SQLite = "sqlite"
	MySQL  = "mysql"
)

// Options says which database to open and how.
type Options struct {
	Driver string // SQLite or MySQL
	// DSN is a file path for SQLite, a go-sql-driver DSN for MySQL.
	DSN string
	// MaxOpen and MaxLifetime apply to MySQL; SQLite always gets one connection.
	MaxOpen     int
	MaxLifetime time.Duration
	Logger      *slog.Logger
	// Now is the clock for CreatedAt/UpdatedAt; nil means time.Now.
	Now func() time.Time
}

// Store is the service's database.
type Store struct {
	db *gorm.DB
	// read serves the pages and dashboards: on SQLite, a pool of read-only
	// connections beside the one writer, so that a screen is not queued
	// behind the processes' writes (WAL lets readers and the writer run at
	// once, each reader on the last committed state); on MySQL, db itself.
	read   *gorm.DB
	driver string
	now    func() time.Time
	errors *atomic.Uint64
}

// Open connects to the database. It does not create the schema: call Migrate.
func Open(ctx context.Context, opts Options) (*Store, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	errs := new(atomic.Uint64)
	// Each pool gets its own configuration: gorm keeps its callbacks there.
	gcfg := func() *gorm.Config {
		return &gorm.Config{
			NowFunc:     func() time.Time { return now().UTC() },
			Logger:      slowLog{log: log.With("component", "db"), threshold: time.Second, errors: errs},
			PrepareStmt: false,
		}
	}
	var dialector, reader gorm.Dialector
	switch opts.Driver {
	case SQLite:
		if dir := filepath.Dir(opts.DSN); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("create database directory: %w", err)
			}
		}
		dialector = newSQLiteDialect(sqlite.Config{DriverName: "sqlite",
			DSN: sqliteDSN(opts.DSN, "journal_mode(WAL)", "busy_timeout(5000)", "synchronous(NORMAL)", "foreign_keys(1)")})
		reader = sqlite.New(sqlite.Config{DriverName: "sqlite", DSN: sqliteDSN(opts.DSN, "busy_timeout(5000)", "query_only(1)")})
	case MySQL:
		mc, err := mysqldriver.ParseDSN(opts.DSN)
		if err != nil {
			return nil, fmt.Errorf("parse MySQL DSN: %w", err)
		}
		mc.ParseTime = true
		mc.Loc = time.UTC
		// A time is sent to six decimals at most: with Go's nine
		// (time.Now()), MariaDB no longer reads the parameter as a
		// datetime, and a comparison with a DATETIME column walks the whole
		// index instead of its range (57 ms for 1,469 rows of 336,000, the
		// dashboard's deadlines ahead of now, against 1 ms).
		if err := mc.Apply(mysqldriver.TimeTruncate(time.Microsecond)); err != nil {
			return nil, fmt.Errorf("MySQL DSN: %w", err)
		}
		if mc.Params == nil {
			mc.Params = map[string]string{}
		}
		mc.Params["charset"] = "utf8mb4"
		mc.Params["time_zone"] = "'+00:00'"
		dialector = mysql.New(mysql.Config{DSN: mc.FormatDSN()})
	default:
		return nil, fmt.Errorf("unknown database driver %q", opts.Driver)
	}
	db, sqlDB, err := openGorm(opts.Driver, dialector, gcfg())
	if err != nil {
		return nil, err
	}
	read := db
	if opts.Driver == SQLite {
		// One writer: SQLite serialises writes anyway and a second
		// connection only adds "database is locked".
		sqlDB.SetMaxOpenConns(1)
		var readDB *sql.DB
		if read, readDB, err = openGorm(opts.Driver, reader, gcfg()); err != nil {
			_ = sqlDB.Close()
			return nil, err
		}
		readDB.SetMaxOpenConns(readConns)
		readDB.SetMaxIdleConns(readConns)
	} else {
		// Migrate holds one connection for its named lock while AutoMigrate
		// takes another: with a single connection it would wait forever.
		maxOpen := max(opts.MaxOpen, 2)
		sqlDB.SetMaxOpenConns(maxOpen)
		sqlDB.SetMaxIdleConns(min(maxOpen, 10))
		sqlDB.SetConnMaxLifetime(opts.MaxLifetime)
		sqlDB.SetConnMaxIdleTime(opts.MaxLifetime)
	}
	s := &Store{db: db, read: read, driver: opts.Driver, now: now, errors: errs}
	if err := s.Ping(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// sqliteDSN opens the file at path with the pragmas given, times written
// as SQLite's own text.
func sqliteDSN(path string, pragmas ...string) string {
	return "file:" + path + "?_pragma=" + strings.Join(pragmas, "&_pragma=") + "&_time_format=sqlite"
}

// readConns is the SQLite read pool's size: a few screens at once, each
// read short; more would only share the same two cores.
const readConns = 4

// openGorm opens one pool through dialector, with the time guard.
func openGorm(driver string, dialector gorm.Dialector, gcfg *gorm.Config) (*gorm.DB, *sql.DB, error) {
	db, err := gorm.Open(dialector, gcfg)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s database: %w", driver, err)
	}
	sqlDB, err := db.DB()
	if err == nil {
		err = guardTimes(db)
	}
	if err != nil {
		if sqlDB != nil {
			_ = sqlDB.Close()
		}
		return nil, nil, fmt.Errorf("open %s database: %w", driver, err)
	}
	return db, sqlDB, nil
}

// reader is the pool for a read that is not part of a write: a page, a
// dashboard, a lookup for a screen.
func (s *Store) reader(ctx context.Context) *gorm.DB { return s.read.WithContext(ctx) }

// nowOr returns t, or the store's clock for the zero time.
func (s *Store) nowOr(t time.Time) time.Time {
	if t.IsZero() {
		return s.now()
	}
	return t
}

// Driver is SQLite or MySQL.
func (s *Store) Driver() string { return s.driver }

// Errors counts the statements the database failed since Open, other than
// not found, duplicate keys and requests that went away: a rising count
// means the database is in trouble (wuye_db_errors_total).
func (s *Store) Errors() uint64 { return s.errors.Load() }

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.WithContext(ctx).Raw("SELECT 1").Scan(&one).Error; err != nil {
		return fmt.Errorf("ping database: %w", translate(err))
	}
	return nil
}

// Close closes the connections (the read pool's too).
func (s *Store) Close() error {
	closeDB := func(g *gorm.DB) error {
		sqlDB, err := g.DB()
		if err != nil {
			return err
		}
		return sqlDB.Close()
	}
	err := closeDB(s.db)
	if s.read != s.db {
		err = errors.Join(err, closeDB(s.read))
	}
	return err
}

// SQL exposes the connection pool for health checks and tests.
func (s *Store) SQL() (*sql.DB, error) { return s.db.DB() }

// txAttempts bounds the runs of a transaction MySQL chose as a deadlock's
// victim.
const txAttempts = 4

// tx runs fn in one transaction. MySQL may end a transaction that waits in
// a deadlock (two writers taking the same summary rows, or an index gap, in
// turn); its work was rolled back, so fn runs again, at most txAttempts
// times: fn must leave nothing behind but what it writes in tx and the
// values it sets each run.
func (s *Store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	for attempt := 1; ; attempt++ {
		err := s.db.WithContext(ctx).Transaction(fn)
		if attempt < txAttempts && isDeadlock(err) && ctx.Err() == nil {
			continue
		}
		return err
	}
}
