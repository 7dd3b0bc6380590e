// Package storetest opens real, empty, migrated databases for tests: a
// SQLite file in the test's temp directory, and a fresh database on the MySQL
// (MariaDB) server named by WUYE_TEST_MYSQL_DSN, default
// root:@tcp(127.0.0.1:3306)/.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"

	"github.com/wuye/wuye/store"
)

// DefaultMySQLDSN is the CI server: MariaDB on loopback, root, no password.
const DefaultMySQLDSN = "root:@tcp(127.0.0.1:3306)/"

// Options adjust the opened store.
type Options struct {
	// Now is the store's clock; nil means time.Now.
	Now func() time.Time
}

// SQLite opens a migrated store on a new file under t.TempDir().
func SQLite(t testing.TB, opts Options) *store.Store {
	t.Helper()
	return open(t, store.Options{Driver: store.SQLite, DSN: filepath.Join(t.TempDir(), "wuye.db"), Now: opts.Now})
}

// MySQL opens a migrated store on a new database that is dropped when the test
// ends. Without a reachable server it skips the test, saying why, except under
// CI=true, where the MySQL tests must run and it fails instead.
func MySQL(t testing.TB, opts Options) *store.Store {
	t.Helper()
	dsn := MySQLDSN(t)
	return open(t, store.Options{Driver: store.MySQL, DSN: dsn, MaxOpen: 5, MaxLifetime: time.Minute, Now: opts.Now})
}

// MySQLDSN creates a fresh, empty database and returns its DSN; it is dropped
// when the test ends.
func MySQLDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("WUYE_TEST_MYSQL_DSN")
	if base == "" {
		base = DefaultMySQLDSN
	}
	cfg, err := mysqldriver.ParseDSN(base)
	if err != nil {
		t.Fatalf("WUYE_TEST_MYSQL_DSN: %v", err)
	}
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = admin.PingContext(ctx)
		cancel()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("MySQL at %s is unreachable and CI=true requires it: %v", cfg.Addr, err)
		}
		t.Skipf("MySQL at %s is unreachable (%v): set WUYE_TEST_MYSQL_DSN or start MariaDB to run this test", cfg.Addr, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "wuye_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name); err != nil {
			t.Logf("drop database %s: %v", name, err)
		}
		admin.Close()
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}

// Each runs fn as a subtest on SQLite and on MySQL.
func Each(t *testing.T, opts Options, fn func(t *testing.T, s *store.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t, opts)) })
	t.Run("mysql", func(t *testing.T) { fn(t, MySQL(t, opts)) })
}

func open(t testing.TB, o store.Options) *store.Store {
	t.Helper()
	o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx := context.Background()
	s, err := store.Open(ctx, o)
	if err != nil {
		t.Fatalf("open %s store: %v", o.Driver, err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s store: %v", o.Driver, err)
	}
	return s
}
