package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/config"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/schema/sqlite"
	"google.golang.org/protobuf/types/known/durationpb"
)

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

// prepareStore creates the schema when the file is new and writes the namespace when it
// is missing; an existing file and namespace are used as they are. Search attributes
// given here are only recorded for a new namespace: Start adds the missing ones after
// the server is up.
func prepareStore(
	sql *config.SQL,
	clusterName, namespace string,
	retention time.Duration,
	searchAttributes map[string]enums.IndexedValueType,
) error {
	_, err := os.Stat(sql.DatabaseName)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := sqlite.SetupSchema(sql); err != nil {
			removeStore(sql.DatabaseName)
			return fmt.Errorf("create schema in %s: %w", sql.DatabaseName, err)
		}
	case err != nil:
		return fmt.Errorf("check store file: %w", err)
	}

	ns, err := sqlite.NewNamespaceConfig(clusterName, namespace, false, searchAttributes)
	if err != nil {
		return fmt.Errorf("namespace %q: %w", namespace, err)
	}
	ns.Detail.Config.Retention = durationpb.New(retention)
	if err := sqlite.CreateNamespaces(sql, ns); err != nil {
		return fmt.Errorf("write namespace %q: %w", namespace, err)
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
