package store

import (
	"context"
	"path/filepath"
	"strings"
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
	sqls []string
}

func (r *sqlRecorder) LogMode(logger.LogLevel) logger.Interface { return r }

func (r *sqlRecorder) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
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
	s, err := Open(ctx, Options{Driver: SQLite, DSN: filepath.Join(t.TempDir(), "plan.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
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
		rec := &sqlRecorder{Interface: logger.Discard}
		traced := *s
		traced.db = s.db.Session(&gorm.Session{Logger: rec})
		if err := l.read(&traced); err != nil {
			t.Fatalf("%s: %v", l.name, err)
		}
		for _, sql := range rec.sqls {
			if !strings.Contains(sql, "LIMIT") {
				continue // the count
			}
			var plan []struct {
				ID, Parent, Notused int
				Detail              string
			}
			if err := s.db.Raw("EXPLAIN QUERY PLAN " + sql).Scan(&plan).Error; err != nil {
				t.Fatalf("%s: explain %s: %v", l.name, sql, err)
			}
			var steps []string
			for _, p := range plan {
				steps = append(steps, p.Detail)
			}
			if got := strings.Join(steps, "; "); strings.Contains(got, "TEMP B-TREE") || !strings.Contains(got, "INDEX") {
				t.Errorf("%s: got plan %q for %s; want an index walked in order", l.name, got, sql)
			}
		}
	}
}
