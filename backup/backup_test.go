package backup

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// openWAL opens (creating) a database the way the service does: WAL, a busy
// timeout, one connection.
func openWAL(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// seeded is a data directory with a database holding rows, a second
// database, and a plain file, as the service lays them out.
func seeded(t *testing.T, rows int) (dataDir string, files []File, db *sql.DB) {
	t.Helper()
	dataDir = filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	db = openWAL(t, filepath.Join(dataDir, "app.db"))
	// Each write adds a ticket and bumps the counter in one transaction, so
	// a consistent copy has as many tickets as the counter says.
	mustExec(t, db, "CREATE TABLE tickets (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
	mustExec(t, db, "CREATE TABLE counter (n INTEGER NOT NULL)")
	mustExec(t, db, "INSERT INTO counter (n) VALUES (0)")
	for range rows {
		addTicket(t, db)
	}
	other := openWAL(t, filepath.Join(dataDir, "engine.db"))
	mustExec(t, other, "CREATE TABLE executions (id TEXT PRIMARY KEY)")
	mustExec(t, other, "INSERT INTO executions (id) VALUES ('ticket-1')")
	if err := os.WriteFile(filepath.Join(dataDir, "secret"), []byte("a-secret-of-enough-bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	files = []File{
		{Name: "engine.db", Path: filepath.Join(dataDir, "engine.db"), SQLite: true},
		{Name: "app.db", Path: filepath.Join(dataDir, "app.db"), SQLite: true},
		{Name: "secret", Path: filepath.Join(dataDir, "secret"), Optional: true},
	}
	return dataDir, files, db
}

func addTicket(t *testing.T, db *sql.DB) {
	t.Helper()
	if err := insertTicket(db); err != nil {
		t.Fatal(err)
	}
}

func insertTicket(db *sql.DB) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec("INSERT INTO tickets (body) VALUES (?)", strings.Repeat("漏水 ", 50)); err != nil {
		return err
	}
	if _, err := tx.Exec("UPDATE counter SET n = n + 1"); err != nil {
		return err
	}
	return tx.Commit()
}

// relocate is files with their paths moved into dataDir.
func relocate(files []File, dataDir string) []File {
	out := make([]File, len(files))
	for i, f := range files {
		f.Path = filepath.Join(dataDir, filepath.Base(f.Path))
		out[i] = f
	}
	return out
}

// TestBackupWhileWritingRestoresConsistentCopy backs a database up while
// another connection keeps writing to it, restores the backup into a fresh
// data directory, and opens the restored files: every row written before the
// backup began is there, and the copy is one consistent snapshot.
func TestBackupWhileWritingRestoresConsistentCopy(t *testing.T) {
	const before = 2000
	_, files, db := seeded(t, before)

	var (
		stop    atomic.Bool
		written atomic.Int64
		wg      sync.WaitGroup
		werr    error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			if err := insertTicket(db); err != nil {
				werr = err
				return
			}
			written.Add(1)
		}
	}()
	// Let the writer get going, so the backup overlaps writes.
	for written.Load() < 50 {
		time.Sleep(time.Millisecond)
	}
	dir := filepath.Join(t.TempDir(), "backup-1")
	atStart := written.Load()
	m, err := Create(context.Background(), dir, files, time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC))
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if werr != nil {
		t.Fatalf("writer: %v", werr)
	}
	if during := written.Load() - atStart; during < 1 {
		t.Errorf("writes while Create ran: got %d, want the writer to keep going", during)
	} else {
		t.Logf("%d writes while Create ran", during)
	}
	if len(m.Files) != 3 || m.Files[0].Name != "engine.db" || m.Files[1].Name != "app.db" || m.Files[2].Name != "secret" {
		t.Fatalf("manifest files: got %+v, want engine.db, app.db, secret in that order", m.Files)
	}
	for _, e := range m.Files {
		if e.Size <= 0 || len(e.SHA256) != 64 {
			t.Errorf("manifest entry %+v: want a size and a hex SHA-256", e)
		}
	}
	if _, err := Verify(dir); err != nil {
		t.Errorf("Verify of a fresh backup: %v", err)
	}

	restored := filepath.Join(t.TempDir(), "restored")
	rfiles := relocate(files, restored)
	if _, err := Restore(dir, restored, rfiles); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	got := openWAL(t, rfiles[1].Path)
	var tickets, counter int64
	if err := got.QueryRow("SELECT COUNT(*) FROM tickets").Scan(&tickets); err != nil {
		t.Fatal(err)
	}
	if err := got.QueryRow("SELECT n FROM counter").Scan(&counter); err != nil {
		t.Fatal(err)
	}
	if tickets < before || tickets != counter {
		t.Errorf("restored tickets: got %d with counter %d, want at least %d and equal to the counter", tickets, counter, before)
	}
	var check string
	if err := got.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("restored integrity_check: got %q %v, want ok", check, err)
	}
	// The restored database takes writes again.
	addTicket(t, got)
	var id string
	if err := openWAL(t, rfiles[0].Path).QueryRow("SELECT id FROM executions").Scan(&id); err != nil || id != "ticket-1" {
		t.Errorf("restored second database: got %q %v, want ticket-1", id, err)
	}
	if raw, err := os.ReadFile(rfiles[2].Path); err != nil || string(raw) != "a-secret-of-enough-bytes" {
		t.Errorf("restored plain file: got %q %v, want it byte for byte", raw, err)
	}
}

func TestCreateRefusesNonEmptyDirAndMissingFiles(t *testing.T) {
	_, files, _ := seeded(t, 1)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "old"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(context.Background(), dir, files, time.Now()); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("Create into a non-empty dir: got %v, want it refused", err)
	}

	missing := append([]File{{Name: "gone.db", Path: filepath.Join(t.TempDir(), "gone.db"), SQLite: true}}, files...)
	if _, err := Create(context.Background(), filepath.Join(t.TempDir(), "b"), missing, time.Now()); err == nil || !strings.Contains(err.Error(), "gone.db") {
		t.Errorf("Create with a missing database: got %v, want an error naming it", err)
	}
	if _, err := os.Stat(filepath.Join(t.TempDir(), "gone.db")); err == nil {
		t.Error("Create with a missing database: it created the file, want it left alone")
	}

	optional := []File{files[0], {Name: "secret", Path: filepath.Join(t.TempDir(), "none"), Optional: true}}
	m, err := Create(context.Background(), filepath.Join(t.TempDir(), "c"), optional, time.Now())
	if err != nil || len(m.Files) != 1 {
		t.Errorf("Create with a missing optional file: got %+v %v, want one file and no error", m.Files, err)
	}
}

func TestRestoreRefusesNonEmptyDataDir(t *testing.T) {
	_, files, _ := seeded(t, 3)
	dir := filepath.Join(t.TempDir(), "backup")
	if _, err := Create(context.Background(), dir, files, time.Now()); err != nil {
		t.Fatal(err)
	}
	target := t.TempDir()
	if err := os.WriteFile(filepath.Join(target, "wuye.db"), []byte("live data"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(dir, target, relocate(files, target)); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("Restore into a non-empty dir: got %v, want it refused", err)
	}
	if raw, _ := os.ReadFile(filepath.Join(target, "wuye.db")); string(raw) != "live data" {
		t.Errorf("after a refused restore: got %q, want the existing file untouched", raw)
	}
}

func TestRestoreRefusesDamagedBackup(t *testing.T) {
	_, files, _ := seeded(t, 3)
	dir := filepath.Join(t.TempDir(), "backup")
	if _, err := Create(context.Background(), dir, files, time.Now()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "app.db")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)/2] ^= 0xff
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "data")
	if _, err := Restore(dir, target, relocate(files, target)); err == nil || !strings.Contains(err.Error(), "app.db") {
		t.Errorf("Restore of a damaged backup: got %v, want an error naming app.db", err)
	}
	if _, err := os.Stat(target); err == nil {
		t.Error("Restore of a damaged backup: it created the data dir, want nothing written")
	}

	noManifest := t.TempDir()
	if _, err := Restore(noManifest, target, relocate(files, target)); err == nil || !strings.Contains(err.Error(), "manifest") {
		t.Errorf("Restore without a manifest: got %v, want it refused", err)
	}
}

func TestRestoreNeedsEveryRequiredFile(t *testing.T) {
	_, files, _ := seeded(t, 1)
	dir := filepath.Join(t.TempDir(), "backup")
	if _, err := Create(context.Background(), dir, files[1:], time.Now()); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "data")
	if _, err := Restore(dir, target, relocate(files, target)); err == nil || !strings.Contains(err.Error(), "engine.db") {
		t.Errorf("Restore of a backup without engine.db: got %v, want an error naming it", err)
	}
}

// TestBackupCopiesADirectory: a directory of write-once files (the photos)
// is copied file by file, leaving out one still being written, restored to
// its place, and a damaged or unknown file in it is refused.
func TestBackupCopiesADirectory(t *testing.T) {
	dataDir, files, _ := seeded(t, 3)
	photos := filepath.Join(dataDir, "attachments")
	want := map[string]string{"ab/ab12": "photo one", "cd/cd34": "photo two"}
	for rel, body := range want {
		p := filepath.Join(photos, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(photos, "ab", "ef56.123.tmp"), []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	files = append(files, File{Name: "attachments", Path: photos, Dir: true, Optional: true})
	dir := filepath.Join(t.TempDir(), "backup")
	m, err := Create(context.Background(), dir, files, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range m.Files {
		if strings.HasPrefix(e.Name, "attachments/") {
			names = append(names, e.Name)
		}
	}
	if strings.Join(names, " ") != "attachments/ab/ab12 attachments/cd/cd34" {
		t.Errorf("backed-up photos: got %v, want the two finished ones", names)
	}

	into := func(root string) []File {
		out := make([]File, len(files))
		for i, f := range files {
			f.Path = filepath.Join(root, strings.TrimPrefix(f.Path, dataDir))
			out[i] = f
		}
		return out
	}
	restored := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(dir, restored, into(restored)); err != nil {
		t.Fatal(err)
	}
	for rel, body := range want {
		got, err := os.ReadFile(filepath.Join(restored, "attachments", filepath.FromSlash(rel)))
		if err != nil || string(got) != body {
			t.Errorf("restored %s: got %q, %v, want %q", rel, got, err, body)
		}
	}
	if _, err := os.Stat(filepath.Join(restored, "attachments", "ab", "ef56.123.tmp")); err == nil {
		t.Error("the file still being written was restored")
	}

	// A service that keeps no such directory refuses the backup that has one.
	other := filepath.Join(t.TempDir(), "other")
	if _, err := Restore(dir, other, into(other)[:len(files)-1]); err == nil || !strings.Contains(err.Error(), "attachments") {
		t.Errorf("restore without the directory: got %v, want it named as unknown", err)
	}
	// A damaged photo fails the check.
	if err := os.WriteFile(filepath.Join(dir, "attachments", "cd", "cd34"), []byte("photo 2!!"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(dir); err == nil {
		t.Error("verify of a damaged photo: got nil, want an error")
	}
	for _, bad := range []string{"attachments/../x", "attachments//x", "/x", "a/./b"} {
		if checkName(bad) == nil {
			t.Errorf("checkName(%q): got nil, want refused", bad)
		}
	}
}
