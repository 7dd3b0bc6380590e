package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// The fixtures in testdata are databases made by release b8f6f94 (before
// case_events): that release's Migrate, then one estate, building, unit
// (89.35 m², a float then), household, resident, staff account "cs1", a ticket with one recorded
// change (ticket_events), a bill for 2026-02 and a collection case with one
// event (collection_events). SQLite's is a `sqlite3 .dump`, MariaDB's a
// `mysqldump --skip-comments --compact`.
const previousRelease = "b8f6f94"

// TestUpgradeFromPreviousRelease loads the previous release's database, runs
// today's Migrate twice and reads the old rows through today's store.
func TestUpgradeFromPreviousRelease(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "wuye.db")
		load(t, "sqlite", path, "sqlite")
		checkUpgrade(t, store.Options{Driver: store.SQLite, DSN: path})
	})
	t.Run("mysql", func(t *testing.T) {
		dsn := storetest.MySQLDSN(t)
		cfg, err := mysqldriver.ParseDSN(dsn)
		if err != nil {
			t.Fatal(err)
		}
		cfg.MultiStatements = true
		load(t, "mysql", cfg.FormatDSN(), "mysql")
		checkUpgrade(t, store.Options{Driver: store.MySQL, DSN: dsn, MaxOpen: 5, MaxLifetime: time.Minute})
	})
}

// load runs the fixture of the previous release for dialect on a new database.
func load(t *testing.T, driver, dsn, dialect string) {
	t.Helper()
	dump, err := os.ReadFile(filepath.Join("testdata", "release-"+previousRelease+"."+dialect+".sql"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(string(dump)); err != nil {
		t.Fatalf("load the %s fixture: %v", dialect, err)
	}
}

func checkUpgrade(t *testing.T, o store.Options) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for i := range 2 {
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("migrate %d: %v", i+1, err)
		}
	}
	for _, m := range store.Tables() {
		if !s.DB().Migrator().HasTable(m) {
			t.Errorf("table of %T: missing after the upgrade", m)
		}
	}
	if !s.DB().Migrator().HasColumn(&models.Message{}, "read_at") {
		t.Error("messages.read_at: missing after the upgrade")
	}
	all := store.AllEstates()

	u, err := s.Unit(ctx, all, 1)
	if err != nil || u.Area != 89_35 || u.PropertyType != models.PropertyResidential || u.Occupancy != models.OccupancyOccupied {
		t.Errorf("unit: got area %v, type %q, occupancy %q, %v, want 89.35 m² (copied once from the float), residential, occupied",
			u.Area, u.PropertyType, u.Occupancy, err)
	}

	staff, err := s.StaffByUsername(ctx, "cs1")
	if err != nil || staff.Role != models.RoleCustomerService || !staff.Active {
		t.Fatalf("staff cs1: got %+v, %v, want an active customer-service account", staff, err)
	}
	if n, err := s.UnreadCount(ctx, staff.ID); err != nil || n != 0 {
		t.Errorf("unread count of cs1: got %d, %v, want 0", n, err)
	}
	tickets, err := s.Tickets(ctx, all, store.TicketFilter{}, store.Page{})
	if err != nil || len(tickets.Items) != 1 {
		t.Fatalf("tickets: got %+v, %v, want one", tickets, err)
	}
	tk := tickets.Items[0]
	if tk.Status != models.StatusAssigned || tk.AssigneeID == nil || *tk.AssigneeID != staff.ID || tk.Revision != 1 {
		t.Errorf("ticket: got status %s, assignee %v, revision %d, want assigned to %d at revision 1", tk.Status, tk.AssigneeID, tk.Revision, staff.ID)
	}
	evs, err := s.TicketEvents(ctx, all, tk.ID)
	if err != nil || len(evs) != 1 {
		t.Fatalf("ticket events: got %+v, %v, want the one copied from ticket_events (twice migrated, once copied)", evs, err)
	}
	if ev := evs[0]; ev.Kind != models.KindTicket || ev.Type != "assign" || ev.ToStatus != string(models.StatusAssigned) ||
		ev.HouseholdID != *tk.HouseholdID || ev.Detail["assignee"] != "cs1" {
		t.Errorf("ticket event: got %+v, want the assignment, kind ticket, of the ticket's household", ev)
	}

	bills, err := s.Bills(ctx, all, store.BillFilter{HouseholdID: *tk.HouseholdID}, store.Page{})
	if err != nil || len(bills.Items) != 1 || bills.Items[0].Period != "2026-02" || bills.Items[0].AmountFen != 30000 {
		t.Errorf("bills: got %+v, %v, want 2026-02 for 30000 fen", bills, err)
	}
	// An old bill has no lines and no notes: it is its amount; a credit
	// note on it counts. The old policy's 3‰ reads as 30‱.
	if len(bills.Items) == 1 && (len(bills.Items[0].Lines) != 0 || bills.Items[0].AdjustedFen != 0) {
		t.Errorf("the old bill: got lines %+v, adjusted %d, want none", bills.Items[0].Lines, bills.Items[0].AdjustedFen)
	}
	if len(bills.Items) == 1 {
		if _, err := s.AdjustBill(ctx, all, bills.Items[0].ID, -1000, "升级后冲减", staff.ID); err != nil {
			t.Errorf("a credit note on the old bill: %v", err)
		}
		if b, err := s.Bill(ctx, all, bills.Items[0].ID); err != nil || b.AdjustedFen != -1000 || b.Arith().Adjusted != -1000 {
			t.Errorf("the old bill after a credit note: got %+v, %v, want adjusted by -1000", b, err)
		}
	}
	if pol, err := s.Policy(ctx, all, u.EstateID); err != nil || pol.Policy.Fees.LateFeePerTenThousand != 30 {
		t.Errorf("the old policy's late fee: got %d‱, %v, want 30 (its late_fee_per_mille 3 × 10)", pol.Policy.Fees.LateFeePerTenThousand, err)
	}
	cevs, err := s.HouseholdEvents(ctx, all, *tk.HouseholdID)
	if err != nil || len(cevs) != 1 || cevs[0].Kind != models.KindCollection || cevs[0].Channel != models.ChannelSMS || cevs[0].Outcome != "sent" {
		t.Errorf("collection events: got %+v, %v, want the one SMS copied from collection_events", cevs, err)
	}

	// The old ticket takes a new change.
	p := tk.TicketProgress
	p.Status, p.Revision = models.StatusInProgress, 2
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	ok, err := s.RecordTicketChange(ctx, store.TicketChange{TicketID: tk.ID, Progress: p, Event: models.CaseEvent{
		Key: "after-upgrade/start", Type: "start", ActorID: &staff.ID, FromStatus: string(models.StatusAssigned),
		ToStatus: string(models.StatusInProgress), At: at, Revision: 2, Detail: map[string]string{}}})
	if err != nil || !ok {
		t.Fatalf("record a change on the old ticket: got %v, %v, want recorded", ok, err)
	}
	evs, err = s.TicketEvents(ctx, all, tk.ID)
	if err != nil || len(evs) != 2 || evs[1].Key != "after-upgrade/start" {
		t.Errorf("ticket events after the change: got %+v, %v, want the old event then the new", evs, err)
	}
	got, err := s.Ticket(ctx, all, tk.ID)
	if err != nil || got.Status != models.StatusInProgress || got.Revision != 2 {
		t.Errorf("ticket after the change: got %s at revision %d, %v, want in_progress at 2", got.Status, got.Revision, err)
	}
}
