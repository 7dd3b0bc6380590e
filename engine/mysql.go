package engine

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"time"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	"go.temporal.io/server/common/persistence"
	"go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	mysqlplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/mysql"
	"go.temporal.io/server/common/resolver"
	dbschemas "go.temporal.io/server/schema"
	mysqlschema "go.temporal.io/server/schema/mysql/v8"
)

// MySQLStore is a MySQL database that keeps the server's persistence: namespaces,
// workflow histories, mutable state and task queues, the tables a production cluster
// keeps in MySQL. Visibility stays in SQLite (DataDir/visibility.db): Temporal's MySQL
// visibility schema needs MySQL 8's JSON operators, which MariaDB lacks, while its
// persistence schema and queries run on both.
//
// It exists so that a test can read what a MySQL-backed cluster writes (see
// TestTemporalOnMySQLKeepsNoPersonalDataInClear in package app); production runs the
// same binary against a Temporal cluster (docker-compose.yml).
type MySQLStore struct {
	Addr     string // host:port
	User     string
	Password string
	// Database must exist; its schema is created when it has none.
	Database string
}

// temporalMySQLSchema names the persistence schema embedded in the server module.
const temporalMySQLSchema = "mysql/v8/temporal"

func (m MySQLStore) sql() *config.SQL {
	return &config.SQL{
		PluginName:      mysqlplugin.PluginName,
		DatabaseName:    m.Database,
		ConnectAddr:     m.Addr,
		ConnectProtocol: "tcp",
		User:            m.User,
		Password:        m.Password,
		// MariaDB before 11.1 knows only the legacy name of the variable the plugin
		// would set (transaction_isolation); MySQL 8 accepts both.
		ConnectAttributes: map[string]string{"tx_isolation": "'READ-COMMITTED'"},
		MaxConns:          10,
		MaxIdleConns:      10,
		MaxConnLifetime:   time.Hour,
	}
}

// createMySQLSchema creates the server module's current MySQL schema in an empty
// database, stamped with the version the server checks at start, as temporal-sql-tool's
// setup-schema and update-schema would. A database already holding a schema is used as
// it is (an older one fails the server's own version check, naming it).
func createMySQLSchema(cfg *config.SQL) error {
	db, err := sql.NewSQLAdminDB(sqlplugin.DbKindMain, cfg, resolver.NewNoopResolver(), log.NewNoopLogger(), metrics.NoopMetricsHandler)
	if err != nil {
		return fmt.Errorf("connect to mysql %s/%s: %w", cfg.ConnectAddr, cfg.DatabaseName, err)
	}
	defer func() { _ = db.Close() }()
	if _, err := db.ReadSchemaVersion(cfg.DatabaseName); err == nil {
		return nil
	}
	raw, err := fs.ReadFile(dbschemas.Assets(), temporalMySQLSchema+"/schema.sql")
	if err != nil {
		return err
	}
	stmts, err := persistence.LoadAndSplitQueryFromReaders([]io.Reader{bytes.NewReader(raw)})
	if err != nil {
		return err
	}
	if err := db.CreateSchemaVersionTables(); err != nil {
		return fmt.Errorf("create schema in mysql %s: %w", cfg.DatabaseName, err)
	}
	for _, stmt := range stmts {
		if err := db.Exec(stmt); err != nil {
			return fmt.Errorf("create schema in mysql %s: %.60s…: %w", cfg.DatabaseName, stmt, err)
		}
	}
	return db.UpdateSchemaVersion(cfg.DatabaseName, mysqlschema.Version, mysqlschema.Version)
}

// visibilityPath is the SQLite visibility store beside a MySQL persistence store.
func visibilityPath(dataDir string) string { return filepath.Join(dataDir, "visibility.db") }
