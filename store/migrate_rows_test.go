package store_test

import (
	"context"
	"database/sql"
	"maps"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// TestMigrateOverRowsRebuildsNothing: a start migrates a database whose
// tables already hold rows, and rebuilds none of them. gorm read SQLite's
// text columns of a table with rows as "length 2^63-1" and rebuilt every
// table with a sized NOT NULL text column at every start (15 s at 100,000
// tickets). A rebuilt table has a new root page on SQLite, a new creation
// time on MySQL.
func TestMigrateOverRowsRebuildsNothing(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := seed(t, s, "M")
		if _, _, err := s.CreateTicket(ctx, store.AllEstates(), newTicket(f.estate.ID, time.Now().UTC()), ""); err != nil {
			t.Fatal(err)
		}
		db, err := s.SQL()
		must(t, err)
		before := tableIdentities(t, db, s.Driver())
		if s.Driver() == store.MySQL {
			time.Sleep(1100 * time.Millisecond) // CREATE_TIME is in seconds
		}
		must(t, s.Migrate(ctx))
		after := tableIdentities(t, db, s.Driver())
		for _, table := range []string{"estates", "units", "residents", "staffs", "tickets"} {
			if before[table] == "" {
				t.Errorf("table %s not found", table)
			}
		}
		if !maps.Equal(before, after) {
			for name, b := range before {
				if after[name] != b {
					t.Errorf("table %s rebuilt by a second Migrate: %s, then %s", name, b, after[name])
				}
			}
		}
	})
}

// tableIdentities maps each table to what changes when it is rebuilt.
func tableIdentities(t *testing.T, db *sql.DB, driver string) map[string]string {
	t.Helper()
	q := "SELECT name, CAST(rootpage AS TEXT) FROM sqlite_master WHERE type = 'table'"
	if driver == store.MySQL {
		q = "SELECT TABLE_NAME, CAST(CREATE_TIME AS CHAR) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
	}
	rows, err := db.Query(q)
	must(t, err)
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name string
		var id sql.NullString
		must(t, rows.Scan(&name, &id))
		out[name] = id.String
	}
	must(t, rows.Err())
	return out
}

// TestMigrateDropsReplacedIndexes: a database of an earlier version keeps
// the indexes a wider one has since replaced (the dashboard reads the
// wider ones); Migrate drops them and leaves the wider ones.
func TestMigrateDropsReplacedIndexes(t *testing.T) {
	type index struct {
		model any
		name  string
		on    string // as the earlier versions made it
	}
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		db, err := s.SQL()
		must(t, err)
		old := []index{
			{&models.CaseEvent{}, "idx_case_event_type_at", "case_events (type, at)"},
			{&models.CaseEvent{}, "idx_case_event_estate_type_at", "case_events (estate_id, type, at)"},
			{&models.SLADeadline{}, "idx_sla_deadline_due", "sla_deadlines (due_at, outcome, urgency)"},
			{&models.SLADeadline{}, "idx_sla_deadline_estate", "sla_deadlines (estate_id, due_at, outcome, urgency)"},
		}
		for _, ix := range old {
			if _, err := db.Exec("CREATE INDEX " + ix.name + " ON " + ix.on); err != nil {
				t.Fatalf("create %s: %v", ix.name, err)
			}
		}
		must(t, s.Migrate(ctx))
		m := s.DB().Migrator()
		for _, ix := range old {
			if m.HasIndex(ix.model, ix.name) {
				t.Errorf("index %s on %s: still there after Migrate", ix.name, ix.on)
			}
		}
		for _, ix := range []index{
			{model: &models.CaseEvent{}, name: "idx_case_event_kind_type_at"},
			{model: &models.CaseEvent{}, name: "idx_case_event_estate_kind_type_at"},
			{model: &models.SLADeadline{}, name: "idx_sla_deadline_tally"},
			{model: &models.SLADeadline{}, name: "idx_sla_deadline_due_ticket"},
			{model: &models.SLADeadline{}, name: "idx_sla_deadline_estate_ticket"},
		} {
			if !m.HasIndex(ix.model, ix.name) {
				t.Errorf("index %s: missing after Migrate", ix.name)
			}
		}
	})
}
