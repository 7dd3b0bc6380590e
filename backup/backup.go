// Package backup copies the embedded default's state into a directory while
// the service runs, and restores such a copy into an empty data directory.
//
// SQLite databases are copied with VACUUM INTO, which writes a consistent
// snapshot of one database from inside a read transaction: writers go on
// meanwhile (the service keeps its files in WAL mode). Every other file is
// copied as it is. A manifest written last lists each file with its size and
// SHA-256; a directory without one is not a backup.
package backup

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers "sqlite", the engine the service and the embedded server use
)

// ManifestFile is the manifest's name inside a backup directory.
const ManifestFile = "manifest.json"

// File is one piece of state to back up or restore.
type File struct {
	// Name is the file's name inside the backup directory.
	Name string
	// Path is where the service keeps it.
	Path string
	// SQLite marks a database, copied with VACUUM INTO; other files are
	// copied byte for byte.
	SQLite bool
	// Optional files are left out of a backup when they do not exist.
	Optional bool
}

// Manifest describes a finished backup.
type Manifest struct {
	Created time.Time `json:"created"`
	Files   []Entry   `json:"files"`
}

// Entry is one file of a backup.
type Entry struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Create backs files up, in their order, into dir, which must not exist or
// be empty, and writes the manifest last.
func Create(ctx context.Context, dir string, files []File, now time.Time) (Manifest, error) {
	m := Manifest{Created: now.UTC()}
	if err := checkEmpty(dir); err != nil {
		return m, fmt.Errorf("backup into %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	for _, f := range files {
		if err := checkName(f.Name); err != nil {
			return m, err
		}
		if _, err := os.Stat(f.Path); err != nil {
			if f.Optional && errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return m, fmt.Errorf("back up %s: %w", f.Name, err)
		}
		dst := filepath.Join(dir, f.Name)
		var err error
		if f.SQLite {
			err = vacuumInto(ctx, f.Path, dst)
		} else {
			err = copyFile(f.Path, dst)
		}
		if err != nil {
			return m, fmt.Errorf("back up %s from %s: %w", f.Name, f.Path, err)
		}
		e, err := describe(dir, f.Name)
		if err != nil {
			return m, err
		}
		m.Files = append(m.Files, e)
	}
	if err := writeManifest(dir, m); err != nil {
		return m, err
	}
	return m, nil
}

// vacuumInto writes a consistent copy of the database at src to dst and
// checks the copy.
func vacuumInto(ctx context.Context, src, dst string) error {
	// mode=rw: never create a database that is not there. The busy timeout
	// covers a moment when the running service holds a write lock.
	db, err := sql.Open("sqlite", "file:"+src+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("vacuum into: %w", err)
	}
	if err := os.Chmod(dst, 0o600); err != nil {
		return err
	}
	return quickCheck(ctx, dst)
}

// quickCheck opens the database at path read-only and runs PRAGMA quick_check.
func quickCheck(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&res); err != nil {
		return fmt.Errorf("check copy: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("check copy: quick_check says %q", res)
	}
	return nil
}

// Restore verifies the backup in dir against its manifest, then copies it
// into dataDir, which must not exist or be empty. Each file goes to the Path
// of the File of its name; a file the manifest lacks is an error unless it is
// Optional.
func Restore(dir, dataDir string, files []File) (Manifest, error) {
	m, err := Verify(dir)
	if err != nil {
		return m, err
	}
	if err := checkEmpty(dataDir); err != nil {
		return m, fmt.Errorf("restore into %s: %w", dataDir, err)
	}
	in := map[string]Entry{}
	for _, e := range m.Files {
		in[e.Name] = e
	}
	known := map[string]bool{}
	for _, f := range files {
		known[f.Name] = true
		if _, ok := in[f.Name]; !ok && !f.Optional {
			return m, fmt.Errorf("restore: the backup in %s has no %s", dir, f.Name)
		}
		for _, p := range []string{f.Path, f.Path + "-wal", f.Path + "-shm"} {
			if _, err := os.Lstat(p); err == nil {
				return m, fmt.Errorf("restore: %s exists; restore only into an empty data directory", p)
			}
		}
	}
	for _, e := range m.Files {
		if !known[e.Name] {
			return m, fmt.Errorf("restore: the backup holds %s, which this service does not know", e.Name)
		}
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return m, fmt.Errorf("restore: %w", err)
	}
	for _, f := range files {
		e, ok := in[f.Name]
		if !ok {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
			return m, fmt.Errorf("restore %s: %w", f.Name, err)
		}
		if err := copyFile(filepath.Join(dir, e.Name), f.Path); err != nil {
			return m, fmt.Errorf("restore %s to %s: %w", f.Name, f.Path, err)
		}
		got, err := describe(filepath.Dir(f.Path), filepath.Base(f.Path))
		if err != nil {
			return m, err
		}
		if got.Size != e.Size || got.SHA256 != e.SHA256 {
			return m, fmt.Errorf("restore %s: the copy at %s does not match the manifest", f.Name, f.Path)
		}
	}
	return m, nil
}

// Verify reads the manifest in dir and checks every file it lists.
func Verify(dir string) (Manifest, error) {
	var m Manifest
	raw, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return m, fmt.Errorf("read backup manifest: %w", err)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, fmt.Errorf("read backup manifest: %w", err)
	}
	if len(m.Files) == 0 {
		return m, fmt.Errorf("backup manifest in %s lists no files", dir)
	}
	for _, e := range m.Files {
		if err := checkName(e.Name); err != nil {
			return m, err
		}
		got, err := describe(dir, e.Name)
		if err != nil {
			return m, err
		}
		if got.Size != e.Size || got.SHA256 != e.SHA256 {
			return m, fmt.Errorf("backup file %s: got %d bytes sha256 %s, want %d bytes sha256 %s",
				e.Name, got.Size, got.SHA256, e.Size, e.SHA256)
		}
	}
	return m, nil
}

// checkEmpty accepts a directory that does not exist or has no entries.
func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case len(entries) > 0:
		return fmt.Errorf("not empty (it holds %s)", entries[0].Name())
	}
	return nil
}

// checkName keeps manifest names to plain file names inside the backup.
func checkName(name string) error {
	if name == "" || name == ManifestFile || name != filepath.Base(name) || name == "." || name == ".." {
		return fmt.Errorf("backup file name %q: want a plain file name", name)
	}
	return nil
}

func describe(dir, name string) (Entry, error) {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return Entry{}, fmt.Errorf("backup file %s: %w", name, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return Entry{}, fmt.Errorf("backup file %s: %w", name, err)
	}
	return Entry{Name: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// copyFile writes src to dst (which must not exist) and syncs it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// writeManifest writes the manifest through a temporary file, so that a
// directory holds a manifest only once every file is in place.
func writeManifest(dir string, m Manifest) error {
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, ManifestFile+".tmp")
	if err := os.WriteFile(tmp, append(raw, '\n'), 0o600); err != nil {
		return fmt.Errorf("write backup manifest: %w", err)
	}
	f, err := os.Open(tmp)
	if err == nil {
		err = f.Sync()
		f.Close()
	}
	if err != nil {
		return fmt.Errorf("write backup manifest: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, ManifestFile)); err != nil {
		return fmt.Errorf("write backup manifest: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
