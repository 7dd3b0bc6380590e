package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseBackupArgs(t *testing.T) {
	tests := []struct {
		give    []string
		wantCmd string
		wantDir string
		wantOK  bool
		wantErr string
	}{
		{nil, "", "", false, ""},
		{[]string{"serve"}, "", "", false, ""},
		{[]string{"--demo"}, "", "", false, ""},
		{[]string{"backup", "/var/backups/wuye/2026-12-07"}, "backup", "/var/backups/wuye/2026-12-07", true, ""},
		{[]string{"restore", "b1"}, "restore", "b1", true, ""},
		{[]string{"backup"}, "", "", false, "usage: wuye backup DIR"},
		{[]string{"restore", "a", "b"}, "", "", false, "usage: wuye restore DIR"},
		{[]string{"backup", "--demo"}, "", "", false, "usage: wuye backup DIR"},
	}
	for _, tt := range tests {
		cmd, dir, ok, err := parseBackupArgs(tt.give)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseBackupArgs(%q): got %v, want an error containing %q", tt.give, err, tt.wantErr)
			}
			continue
		}
		if err != nil || cmd != tt.wantCmd || dir != tt.wantDir || ok != tt.wantOK {
			t.Errorf("parseBackupArgs(%q): got %q %q %v %v, want %q %q %v", tt.give, cmd, dir, ok, err, tt.wantCmd, tt.wantDir, tt.wantOK)
		}
	}
	if _, _, err := parseArgs([]string{"backups"}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "backup or restore") {
		t.Errorf("parseArgs(backups): got %v, want the commands listed with backup and restore", err)
	}
}

// TestBackupThenRestoreCommands runs `wuye backup DIR` over a data directory
// and `wuye restore DIR` into another one, as an operator would.
func TestBackupThenRestoreCommands(t *testing.T) {
	data := t.TempDir()
	for _, name := range []string{"wuye.db", "temporal.db"} {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(data, name)+"?_pragma=journal_mode(WAL)")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('" + name + "')"); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	t.Setenv("TEMPORAL_ADDRESS", "")
	t.Setenv("WUYE_DATA_DIR", data)
	dir := filepath.Join(t.TempDir(), "b1")
	var out, stderr bytes.Buffer
	if code := run(context.Background(), []string{"backup", dir}, &out, &stderr); code != 0 {
		t.Fatalf("wuye backup: got exit %d %s, want 0", code, stderr.String())
	}
	if !strings.Contains(out.String(), "temporal.db") || !strings.Contains(out.String(), "wuye.db") {
		t.Errorf("wuye backup: got %q, want both databases listed", out.String())
	}

	if code := run(context.Background(), []string{"restore", dir}, &out, &stderr); code != 1 || !strings.Contains(stderr.String(), "not empty") {
		t.Errorf("wuye restore into the live data dir: got exit %d %q, want 1 and a refusal", code, stderr.String())
	}
	fresh := filepath.Join(t.TempDir(), "data")
	t.Setenv("WUYE_DATA_DIR", fresh)
	stderr.Reset()
	if code := run(context.Background(), []string{"restore", dir}, &out, &stderr); code != 0 {
		t.Fatalf("wuye restore: got exit %d %s, want 0", code, stderr.String())
	}
	for _, name := range []string{"wuye.db", "temporal.db"} {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(fresh, name)+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		var v string
		if err := db.QueryRow("SELECT v FROM t").Scan(&v); err != nil || v != name {
			t.Errorf("restored %s: got %q %v, want its row", name, v, err)
		}
		db.Close()
	}
	if _, err := os.Stat(filepath.Join(fresh, "link_secret")); err == nil {
		t.Error("restored link_secret: got one, want none (the backup had none)")
	}
}

func TestBackupRefusesClusterMode(t *testing.T) {
	t.Setenv("TEMPORAL_ADDRESS", "temporal:7233")
	t.Setenv("WUYE_LINK_SECRET", strings.Repeat("s", 48))
	t.Setenv("WUYE_PUBLIC_URL", "https://wuye.example.com")
	t.Setenv("WUYE_PAYLOAD_KEYS", "k1:"+strings.Repeat("A", 43)+"=")
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"backup", t.TempDir()}, &bytes.Buffer{}, &stderr); code != 2 || !strings.Contains(stderr.String(), "embedded default") {
		t.Errorf("wuye backup with TEMPORAL_ADDRESS: got exit %d %q, want 2 pointing at the embedded default", code, stderr.String())
	}
}
