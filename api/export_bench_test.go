package api

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// exportBenchRows is the size of the benchmark's bill list.
const exportBenchRows = 100_000

// BenchmarkExport100k exports 100,000 bills (1,000 households × 100
// periods) from SQLite through the real router, as CSV and as xlsx, and
// reports the heap's growth over idle at its peak (sampled every 5 ms,
// server and client in one process), the time to the answer's head (the
// download starts), to the first byte of the body, and the rows written
// per second. The target: growth ≤ 50 MiB, first
// byte ≤ 1 s.
//
//	go test -run '^$' -bench BenchmarkExport100k -benchtime 1x ./api
func BenchmarkExport100k(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	path := filepath.Join(dir, "wuye.db")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := store.Open(ctx, store.Options{Driver: store.SQLite, DSN: path, Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	all := store.AllEstates()
	e := models.Estate{Code: "B", Name: "压测小区", TimeZone: "Asia/Shanghai"}
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(s.CreateEstate(ctx, &e, models.DefaultPolicy(), nil))
	bld := models.Building{EstateID: e.ID, Name: "1栋"}
	must(s.CreateBuilding(ctx, all, &bld))
	var households []uint64
	for i := range exportBenchRows / 100 {
		u := models.Unit{BuildingID: bld.ID, Number: fmt.Sprintf("%04d", i)}
		must(s.CreateUnit(ctx, all, &u))
		hh := models.Household{UnitID: u.ID}
		must(s.CreateHousehold(ctx, all, &hh))
		households = append(households, hh.ID)
	}
	must(seedBills(ctx, path, e.ID, households))
	hash, err := auth.HashPassword(testPassword)
	must(err)
	must(s.CreateStaff(ctx, all, &models.Staff{Username: "fin", Name: "fin", Role: models.RoleFinance, PasswordHash: hash, Active: true, EstateID: &e.ID}))
	srv := httptest.NewServer(New(Options{Store: s, Log: log}).Handler())
	defer srv.Close()
	body, _ := json.Marshal(map[string]string{"username": "fin", "password": testPassword})
	res, err := http.Post(srv.URL+"/api/v1/sessions", "application/json", bytes.NewReader(body))
	must(err)
	var signed signInResponse
	must(json.NewDecoder(res.Body).Decode(&signed))
	res.Body.Close()

	for _, format := range []string{formatCSV, formatXLSX} {
		b.Run(format, func(b *testing.B) {
			var peakGrowth, firstByte, head, rate float64
			for b.Loop() {
				g, hd, fb, n, took := exportOnce(b, srv.URL+"/api/v1/bills?format="+format, signed.Token)
				head = max(head, hd.Seconds())
				if format == formatCSV && n != exportBenchRows+1 {
					b.Fatalf("csv: got %d lines, want %d", n, exportBenchRows+1)
				}
				peakGrowth, firstByte = max(peakGrowth, g), max(firstByte, fb.Seconds())
				rate = exportBenchRows / took.Seconds()
			}
			b.ReportMetric(peakGrowth/(1<<20), "peak-heap-growth-MiB")
			b.ReportMetric(head*1000, "head-ms")
			b.ReportMetric(firstByte*1000, "first-byte-ms")
			b.ReportMetric(rate, "rows/s")
		})
	}
}

// exportOnce downloads url and returns the heap's peak growth over idle
// (bytes), the time to the answer's head and to the body's first byte, the
// body's newlines and the whole time.
func exportOnce(b *testing.B, url, token string) (growth float64, head, firstByte time.Duration, lines int, took time.Duration) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	idle := ms.HeapInuse
	var peak atomic.Uint64
	peak.Store(idle)
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-t.C:
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}
	}()
	defer close(done)
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	start := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	head = time.Since(start)
	if res.StatusCode != http.StatusOK {
		b.Fatalf("%s: got %d", url, res.StatusCode)
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		if n > 0 && firstByte == 0 {
			firstByte = time.Since(start)
		}
		lines += bytes.Count(buf[:n], []byte{'\n'})
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	took = time.Since(start)
	return float64(peak.Load() - idle), head, firstByte, lines, took
}

// seedBills inserts 100 bills for each household, in one transaction over
// the store's SQLite file.
func seedBills(ctx context.Context, path string, estateID uint64, households []uint64) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_time_format=sqlite")
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `INSERT INTO household_bills (estate_id, household_id, period, amount_fen, due_on, original_due_on, waived_fen, disputed, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?)`)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	for _, hh := range households {
		for p := range 100 {
			m := time.Date(2000+p/12, time.Month(1+p%12), 1, 0, 0, 0, 0, time.UTC)
			due := m.AddDate(0, 1, 9)
			if _, err := st.ExecContext(ctx, estateID, hh, m.Format("2006-01"), 30000, due, due, now, now); err != nil {
				return err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if _, err := os.Stat(path); err != nil {
		return err
	}
	return nil
}
