package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"go.temporal.io/server/common/config"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/schema/sqlite"
	"google.golang.org/protobuf/types/known/durationpb"
)

// dbFile is the store's file name inside Options.DataDir.
const dbFile = "temporal.db"

// StorePath is the server's SQLite store inside dataDir, for backups.
func StorePath(dataDir string) string { return filepath.Join(dataDir, dbFile) }

// storeConfig is the server's SQLite store in the file at path: write-ahead log,
// synchronous=NORMAL, and a single connection, which measured fastest on this kind of
// machine. The pragma names carry no leading underscore.
func storeConfig(path string) *config.SQL {
	return &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: path,
		ConnectAttributes: map[string]string{
			"mode":         "rwc",
			"journal_mode": "wal",
			"synchronous":  "1",
		},
		MaxConns:     1,
		MaxIdleConns: 1,
	}
}

// creatingSuffix names the marker file that exists while a new store's schema is being
// written (beside the store: temporal.db.creating).
const creatingSuffix = ".creating"

// prepareStores prepares the server's persistence and visibility stores (one SQLite
// file by default, or MySQL persistence beside a SQLite visibility file): it creates
// the schema of a new store and writes the namespace when it is missing; an existing
// store and namespace are used as they are. Search attributes given here are only
// recorded for a new namespace: Start adds the missing ones after the server is up.
func prepareStores(opts Options) (store, visibility *config.SQL, err error) {
	if opts.MySQL == nil {
		store = storeConfig(StorePath(opts.DataDir))
		visibility = store
		err = createSchema(store)
	} else {
		store, visibility = opts.MySQL.sql(), storeConfig(visibilityPath(opts.DataDir))
		if err = createSchema(visibility); err == nil {
			err = createMySQLSchema(store)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	ns, err := sqlite.NewNamespaceConfig(clusterName, opts.Namespace, false, opts.SearchAttributes)
	if err != nil {
		return nil, nil, fmt.Errorf("namespace %q: %w", opts.Namespace, err)
	}
	ns.Detail.Config.Retention = durationpb.New(opts.Retention)
	// CreateNamespaces writes through whichever plugin the store names.
	if err := sqlite.CreateNamespaces(store, ns); err != nil {
		return nil, nil, fmt.Errorf("write namespace %q: %w", opts.Namespace, err)
	}
	return store, visibility, nil
}

// createSchema writes the schema of a new store. The schema is written statement by
// statement, so a process killed half-way (kill -9, power loss) would leave a file
// without all its tables, which every later start would take for a complete store and
// fail on ("no such table: namespaces"). A marker file exists from before the store file
// is created until its schema is complete: a start that finds it starts the store again.
func createSchema(sql *config.SQL) error {
	path := sql.DatabaseName
	marker := path + creatingSuffix
	_, err := os.Stat(marker)
	switch {
	case err == nil:
		removeStore(path) // a first start was killed while writing the schema
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("check store marker: %w", err)
	}
	_, err = os.Stat(path)
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("check store file: %w", err)
	}
	if err := os.WriteFile(marker, nil, 0o600); err != nil {
		return fmt.Errorf("create store marker: %w", err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return err
	}
	if err := sqlite.SetupSchema(sql); err != nil {
		removeStore(path)
		_ = os.Remove(marker)
		return fmt.Errorf("create schema in %s: %w", path, err)
	}
	if err := os.Remove(marker); err != nil {
		return fmt.Errorf("remove store marker: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes the creation or removal of a file in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// removeStore deletes a store whose schema could not be created, so that the next start
// tries again instead of running on half a schema.
func removeStore(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		_ = os.Remove(p)
	}
}
