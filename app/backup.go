package app

import (
	"errors"
	"path/filepath"

	"github.com/wuye/wuye/backup"
	"github.com/wuye/wuye/config"
	"github.com/wuye/wuye/engine"
)

// StateFiles is what `wuye backup` copies and `wuye restore` puts back for
// the embedded default, in the order the copies are taken: the embedded
// Temporal server's store first, then the app's database, so that the app's
// records are never older than the workflows that wrote them (an activity
// that finished between the two copies runs again after a restore, and
// activities are idempotent); then the photos kept in the data directory
// (without an S3 bucket), after the database whose records name them, so
// that every photo a copied record names is in the copy (a photo is stored
// before its record); last the secrets generated into the data directory,
// when there are any: the link secret, and the payload keys without which
// the restored histories cannot be opened. With MySQL or a Temporal
// cluster, those databases are backed up with their own tools, and a
// bucket with the object store's.
func StateFiles(cfg config.Config) ([]backup.File, error) {
	if !cfg.EmbeddedTemporal() || cfg.DBDriver != config.DriverSQLite {
		return nil, errors.New("backup and restore cover the embedded default (SQLite and the embedded Temporal server, no TEMPORAL_ADDRESS): " +
			"back up MySQL and a Temporal cluster's databases with their own tools (README.md, Backups)")
	}
	files := []backup.File{
		{Name: "temporal.db", Path: engine.StorePath(cfg.DataDir), SQLite: true},
		{Name: "wuye.db", Path: cfg.SQLitePath(), SQLite: true},
	}
	if _, inBucket := cfg.AttachmentsS3(); !inBucket {
		files = append(files, backup.File{Name: "attachments", Path: cfg.AttachmentsDir(), Dir: true, Optional: true})
	}
	return append(files,
		backup.File{Name: linkSecretFile, Path: filepath.Join(cfg.DataDir, linkSecretFile), Optional: true},
		backup.File{Name: payloadKeysFile, Path: filepath.Join(cfg.DataDir, payloadKeysFile), Optional: true},
	), nil
}
