package app

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	mysqldriver "github.com/go-sql-driver/mysql"

	"github.com/wuye/wuye/config"
	"github.com/wuye/wuye/engine"
	"github.com/wuye/wuye/store/storetest"
)

// TestTemporalOnMySQLKeepsNoPersonalDataInClear is the production shape of
// TestTemporalKeepsNoPersonalDataInClear: the service runs against a Temporal
// server of its own (not embedded in it) whose persistence — histories,
// mutable state, task queues — is a MySQL database, with the service's own
// data in MySQL too. After the same ticket, follow-up and arrears run, no
// table of Temporal's database holds the resident's name or phone in clear.
// Visibility stays in SQLite here (see engine.MySQLStore: MariaDB lacks the
// JSON operators of Temporal's MySQL visibility schema) and is read as a file.
func TestTemporalOnMySQLKeepsNoPersonalDataInClear(t *testing.T) {
	temporalDSN := storetest.MySQLDSN(t)
	tcfg, err := mysqldriver.ParseDSN(temporalDSN)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	srv, err := engine.Start(context.Background(), engine.Options{
		DataDir: filepath.Join(dir, "temporal"), Namespace: "wuye", UIPort: -1,
		SearchAttributes: engine.DefaultSearchAttributes(),
		MySQL:            &engine.MySQLStore{Addr: tcfg.Addr, User: tcfg.User, Password: tcfg.Passwd, Database: tcfg.DBName},
	})
	if err != nil {
		t.Fatalf("start Temporal on MySQL: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })

	cfg, err := config.Load(config.Environment{
		"WUYE_DATA_DIR": filepath.Join(dir, "app"), "WUYE_HTTP_ADDR": "127.0.0.1:0", "WUYE_ADMIN_PASSWORD": e2ePassword,
		"WUYE_LOG_LEVEL": "warn", "WUYE_PAYLOAD_KEYS_FILE": filepath.Join("..", "workflows", "testdata", "payload_keys"),
		"TEMPORAL_ADDRESS": srv.FrontendAddress(), "TEMPORAL_NAMESPACE": "wuye", "WUYE_PUBLIC_URL": "https://wuye.example.com",
		"WUYE_DB_DRIVER": config.DriverMySQL, "WUYE_DB_DSN": storetest.MySQLDSN(t),
		"WUYE_LINK_SECRET": "a test secret of at least thirty-two bytes, not for production",
	})
	if err != nil {
		t.Fatal(err)
	}
	a := startApp(t, cfg)
	ids, hists := sealedRun(t, a)
	a.Stop(context.Background())
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}

	db, err := sql.Open("mysql", temporalDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	secrets := [][]byte{[]byte(sealedName), []byte(sealedPhone)}
	// The workflow ID is stored in clear: finding it shows the scan reads
	// the rows the histories live in.
	found := tableContents(t, db, append(secrets, []byte(ids[0])))
	for _, s := range secrets {
		for _, table := range found[string(s)] {
			t.Errorf("table %s: got %q in clear, want every payload sealed", table, s)
		}
	}
	if len(found[ids[0]]) == 0 {
		t.Errorf("no table holds workflow ID %s: the scan read nothing of the histories", ids[0])
	}

	files, err := filepath.Glob(filepath.Join(dir, "temporal", "visibility.db*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("visibility files: got %v, %v", files, err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(raw, s) {
				t.Errorf("%s: got %q in clear, want every payload sealed", filepath.Base(f), s)
			}
		}
	}
	replaySealed(t, a, ids, hists)
}

// tableContents reads every row of every table in db and returns, for each
// needle, the tables whose rows contain it.
func tableContents(t *testing.T, db *sql.DB, needles [][]byte) map[string][]string {
	t.Helper()
	tables, err := db.Query("SHOW TABLES")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		if err := tables.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := tables.Err(); err != nil {
		t.Fatal(err)
	}
	found := map[string][]string{}
	for _, table := range names {
		rows, err := db.Query("SELECT * FROM `" + table + "`")
		if err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		seen := map[string]bool{}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("read %s: %v", table, err)
			}
			for _, v := range vals {
				for _, n := range needles {
					if !seen[string(n)] && bytes.Contains(v, n) {
						seen[string(n)] = true
						found[string(n)] = append(found[string(n)], table)
					}
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		rows.Close()
	}
	return found
}
