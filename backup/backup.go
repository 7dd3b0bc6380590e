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
	"strings"
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
	// Dir marks a directory of files written once and never changed (the
	// photos, named by their content's hash): each file under it is copied
	// byte for byte, as Name/its path under Path, and files still being
	// written (*.tmp) are left out.
	Dir bool
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
		if f.Dir {
			es, err := backUpDir(dir, f)
			if err != nil {
				return m, err
			}
			m.Files = append(m.Files, es...)
			continue
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
	under := map[string][]Entry{} // a directory's entries, by its name
	for _, e := range m.Files {
		if top, _, ok := strings.Cut(e.Name, "/"); ok {
			under[top] = append(under[top], e)
			continue
		}
		in[e.Name] = e
	}
	known := map[string]bool{}
	for _, f := range files {
		known[f.Name] = true
		if f.Dir {
			if _, err := os.Lstat(f.Path); err == nil {
				return m, fmt.Errorf("restore: %s exists; restore only into an empty data directory", f.Path)
			}
			continue
		}
		if _, ok := in[f.Name]; !ok && !f.Optional {
			return m, fmt.Errorf("restore: the backup in %s has no %s", dir, f.Name)
		}
		for _, p := range []string{f.Path, f.Path + "-wal", f.Path + "-shm"} {
			if _, err := os.Lstat(p); err == nil {
				return m, fmt.Errorf("restore: %s exists; restore only into an empty data directory", p)
			}
		}
	}
	for name := range in {
		if !known[name] {
			return m, fmt.Errorf("restore: the backup holds %s, which this service does not know", name)
		}
	}
	for name := range under {
		if !known[name] {
			return m, fmt.Errorf("restore: the backup holds the directory %s, which this service does not know", name)
		}
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return m, fmt.Errorf("restore: %w", err)
	}
	for _, f := range files {
		if f.Dir {
			for _, e := range under[f.Name] {
				rel := strings.TrimPrefix(e.Name, f.Name+"/")
				if err := restoreFile(dir, e, filepath.Join(f.Path, filepath.FromSlash(rel))); err != nil {
					return m, err
				}
			}
			continue
		}
		if e, ok := in[f.Name]; ok {
			if err := restoreFile(dir, e, f.Path); err != nil {
				return m, err
			}
		}
	}
	return m, nil
}

// restoreFile copies the backup's entry e to path and checks the copy.
func restoreFile(dir string, e Entry, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("restore %s: %w", e.Name, err)
	}
	if err := copyFile(filepath.Join(dir, filepath.FromSlash(e.Name)), path); err != nil {
		return fmt.Errorf("restore %s to %s: %w", e.Name, path, err)
	}
	got, err := describe(filepath.Dir(path), filepath.Base(path))
	if err != nil {
		return err
	}
	if got.Size != e.Size || got.SHA256 != e.SHA256 {
		return fmt.Errorf("restore %s: the copy at %s does not match the manifest", e.Name, path)
	}
	return nil
}

// backUpDir copies every finished file under f.Path into dir/f.Name, in
// lexical order, and describes each as f.Name/its slash-separated path.
func backUpDir(dir string, f File) ([]Entry, error) {
	var out []Entry
	err := filepath.WalkDir(f.Path, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() || !d.Type().IsRegular() || strings.HasSuffix(p, ".tmp"):
			return nil
		}
		rel, err := filepath.Rel(f.Path, p)
		if err != nil {
			return err
		}
		name := f.Name + "/" + filepath.ToSlash(rel)
		if err := checkName(name); err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return err
		}
		if err := copyFile(p, dst); err != nil {
			return err
		}
		e, err := describe(dir, filepath.FromSlash(name))
		if err != nil {
			return err
		}
		e.Name = name
		out = append(out, e)
		return nil
	})
	if err != nil && !(f.Optional && errors.Is(err, fs.ErrNotExist)) {
		return nil, fmt.Errorf("back up %s from %s: %w", f.Name, f.Path, err)
	}
	return out, nil
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

// checkName keeps manifest names inside the backup: a plain file name, or
// a directory's name and a slash-separated path under it, with no empty,
// "." or ".." part.
func checkName(name string) error {
	if name == ManifestFile {
		return fmt.Errorf("backup file name %q: want a plain file name", name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == "" || part == "." || part == ".." || strings.ContainsRune(part, filepath.Separator) || part != filepath.Base(part) {
			return fmt.Errorf("backup file name %q: want a plain file name", name)
		}
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
