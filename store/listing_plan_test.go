package store

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/wuye/wuye/models"
)

// sqlRecorder is a GORM logger that keeps the SQL of every statement, its
// arguments written in.
type sqlRecorder struct {
	logger.Interface
	mu   sync.Mutex // reads run at once (the dashboard's parts)
	sqls []string
}

func (r *sqlRecorder) LogMode(logger.LogLevel) logger.Interface { return r }

func (r *sqlRecorder) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sqls = append(r.sqls, sql)
}

// TestListsReadInIndexOrder asks SQLite's planner how it reads the pages
// the console and the API ask for most (first, by cursor, deep by number;
// one estate and every estate; the common filters): every one walks an
// index in the list's order, never sorting the matching rows. MySQL's
// planner weighs the table's statistics, so an empty test table says
// nothing of its plan at 100,000 rows; the same composite indexes serve it.
func TestListsReadInIndexOrder(t *testing.T) {
	ctx := context.Background()
	s := planStore(t)
	due := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	after := encodeCursor(Sort{Field: "next_due_at"}, &due, 7)
	caseAfter := encodeCursor(Sort{Field: "oldest_due_on"}, &due, 7)
	lists := []struct {
		name string
		read func(s *Store) error
	}{
		{"tickets, one estate", func(s *Store) error {
			_, err := s.Tickets(ctx, AllEstates(), TicketFilter{EstateID: 1}, Page{Size: 50})
			return err
		}},
		{"tickets, by cursor", func(s *Store) error {
			_, err := s.Tickets(ctx, AllEstates(), TicketFilter{EstateID: 1}, Page{Size: 50, After: after})
			return err
		}},
		{"tickets, page 200", func(s *Store) error {
			_, err := s.Tickets(ctx, AllEstates(), TicketFilter{EstateID: 1}, Page{Size: 50, Number: 200})
			return err
		}},
		{"tickets, status", func(s *Store) error {
			_, err := s.Tickets(ctx, AllEstates(), TicketFilter{EstateID: 1, Status: models.StatusAssigned}, Page{Size: 50})
			return err
		}},
		{"tickets, breached", func(s *Store) error {
			_, err := s.Tickets(ctx, AllEstates(), TicketFilter{EstateID: 1, Breached: true, Now: due}, Page{Size: 50})
			return err
		}},
		{"tickets, newest first", func(s *Store) error {
			_, err := s.Tickets(ctx, AllEstates(), TicketFilter{EstateID: 1}, Page{Size: 50, Sort: Sort{Field: "reported_at", Desc: true}})
			return err
		}},
		{"tickets, every estate", func(s *Store) error {
			_, err := s.Tickets(ctx, AllEstates(), TicketFilter{}, Page{Size: 50})
			return err
		}},
		{"arrears, open", func(s *Store) error {
			_, err := s.Cases(ctx, AllEstates(), CaseFilter{EstateID: 1, Open: true}, Page{Size: 50, After: caseAfter})
			return err
		}},
		{"arrears, stage", func(s *Store) error {
			_, err := s.Cases(ctx, AllEstates(), CaseFilter{EstateID: 1, Stage: models.StageDunning}, Page{Size: 50})
			return err
		}},
		{"arrears, every estate", func(s *Store) error {
			_, err := s.Cases(ctx, AllEstates(), CaseFilter{Open: true}, Page{Size: 50, Number: 200})
			return err
		}},
	}
	for _, l := range lists {
		for _, sql := range traced(t, s, l.read) {
			if !strings.Contains(sql, "LIMIT") {
				continue // the count
			}
			if got := plan(t, s, sql); strings.Contains(got, "TEMP B-TREE") || !strings.Contains(got, "INDEX") {
				t.Errorf("%s: got plan %q for %s; want an index walked in order", l.name, got, sql)
			}
		}
	}
}

// planStore opens an empty, migrated SQLite store (the store's own tests
// cannot import storetest).
func planStore(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, Options{Driver: SQLite, DSN: filepath.Join(t.TempDir(), "plan.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// traced runs read on a copy of s that records its SQL, and returns it.
func traced(t *testing.T, s *Store, read func(s *Store) error) []string {
	t.Helper()
	rec := &sqlRecorder{Interface: logger.Discard}
	c := *s
	c.db = s.db.Session(&gorm.Session{Logger: rec})
	c.read = s.read.Session(&gorm.Session{Logger: rec})
	if err := read(&c); err != nil {
		t.Fatal(err)
	}
	if len(rec.sqls) == 0 {
		t.Fatal("no statement traced")
	}
	return rec.sqls
}

// plan is SQLite's query plan of sql, its steps joined by "; ".
func plan(t *testing.T, s *Store, sql string) string {
	t.Helper()
	var steps []struct {
		ID, Parent, Notused int
		Detail              string
	}
	if err := s.db.Raw("EXPLAIN QUERY PLAN " + sql).Scan(&steps).Error; err != nil {
		t.Fatalf("explain %s: %v", sql, err)
	}
	var out []string
	for _, p := range steps {
		out = append(out, p.Detail)
	}
	return strings.Join(out, "; ")
}

// TestDashboardReadsByIndex asks SQLite's planner how the dashboard reads
// the journal and the summary rows: each a span of an index narrowed by
// every condition it has (the estate, the event type, the time), one
// estate and every estate, never a scan of a whole table.
func TestDashboardReadsByIndex(t *testing.T) {
	ctx := context.Background()
	s := planStore(t)
	e := models.Estate{Code: "P", Name: "计划", TimeZone: "Asia/Shanghai"}
	if err := s.CreateEstate(ctx, &e, models.DefaultPolicy(), nil); err != nil {
		t.Fatal(err)
	}
	// A second estate, so that the company view names more than one.
	if err := s.CreateEstate(ctx, &models.Estate{Code: "Q", Name: "计划二", TimeZone: "Asia/Shanghai"}, models.DefaultPolicy(), nil); err != nil {
		t.Fatal(err)
	}
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"case_events":        "idx_case_event_",
		"sla_deadlines":      "idx_sla_deadline_",
		"sla_days":           "INDEX",
		"collection_periods": "INDEX",
		"fee_payments":       "paid",
	}
	// The breached and at-risk counts are spans of an index that leads
	// with the estate and the next due time. The counts over today's
	// escalations and today's deadlines not due yet (as many as the open
	// tickets) are read off an index alone, in its order.
	counts := map[string]string{
		"`tickets`":       "INDEX idx_ticket_estate_due (estate_id=? AND next_due_at",
		"`case_events`":   "COVERING INDEX idx_case_event_",
		"`sla_deadlines`": "COVERING INDEX idx_sla_deadline_tally (estate_id=? AND outcome=? AND urgency=? AND due_at>?",
	}
	// A burst: more deadlines missed at one instant than the list's page
	// of rows, so that the list reads the rows tied at the page's last
	// due time.
	now := time.Date(2026, 3, 4, 9, 0, 0, 0, sh)
	var burst []models.SLADeadline
	for i := range 3 * dashboardListMax {
		burst = append(burst, models.SLADeadline{TicketID: uint64(i + 1), EstateID: e.ID, DueAt: now.Add(-time.Minute).UTC(),
			Outcome: models.SLAOpen, Urgency: models.UrgencyNormal})
	}
	if err := s.db.CreateInBatches(burst, 100).Error; err != nil {
		t.Fatal(err)
	}
	for _, estate := range []uint64{e.ID, 0} {
		f := DashboardFilter{EstateID: estate, Now: now, Loc: sh}
		tied := 0
		sqls := traced(t, s, func(s *Store) error {
			if _, err := s.Dashboard(ctx, AllEstates(), f); err != nil {
				return err
			}
			_, err := s.CollectionRates(ctx, AllEstates(), f)
			return err
		})
		for _, sql := range sqls {
			for table, index := range counts {
				if !strings.Contains(sql, table) || !strings.Contains(strings.ToLower(sql), "count(") {
					continue
				}
				if got := plan(t, s, sql); !strings.Contains(got, index) || strings.Contains(got, "TEMP B-TREE") {
					t.Errorf("estate %d: got plan %q for %s; want %s, no sort", estate, got, sql, index)
				}
			}
			// The rows tied at one due time, by ticket number off the
			// index, as many as the list needs: no sort of the instant's.
			if strings.Contains(sql, "`sla_deadlines`") && strings.Contains(sql, "due_at = ") {
				tied++
				if got := plan(t, s, sql); !strings.Contains(got, "COVERING INDEX idx_sla_deadline_") || strings.Contains(got, "TEMP B-TREE") {
					t.Errorf("estate %d: got plan %q for %s; want the rows of one due time off an index by ticket, no sort", estate, got, sql)
				}
			}
			for table, index := range want {
				if !strings.Contains(sql, "`"+table+"`") {
					continue
				}
				if got := plan(t, s, sql); !strings.Contains(got, index) || strings.Contains(got, "SCAN "+table) {
					t.Errorf("estate %d: got plan %q for %s; want a search of %s by %s", estate, got, sql, table, index)
				}
			}
		}
		if tied == 0 {
			t.Errorf("estate %d: the burst's tied rows were never read", estate)
		}
	}
}
