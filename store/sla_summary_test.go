package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// slaSeed fixes the random run; change it to explore another.
const slaSeed = 15

// randomTickets creates n tickets in the estates, each through CreateTicket
// and one to four RecordTicketChange calls (now and then a retried or an
// older write), with random urgencies, statuses and deadlines met, late,
// pending or never owed, up to now.
func randomTickets(t *testing.T, s *store.Store, r *rand.Rand, estates []uint64, n int, now time.Time) {
	t.Helper()
	ctx := context.Background()
	statuses := []models.TicketStatus{models.StatusNew, models.StatusAssigned, models.StatusInProgress, models.StatusOnHold,
		models.StatusCompleted, models.StatusClosed, models.StatusCancelled}
	hours := func(max int) time.Duration { return time.Duration(r.IntN(max*60)) * time.Minute }
	for range n {
		reported := now.Add(-hours(100 * 24))
		tk := newTicket(estates[r.IntN(len(estates))], reported)
		tk.Urgency = models.Urgencies()[r.IntN(len(models.Urgencies()))]
		got, _, err := s.CreateTicket(ctx, store.AllEstates(), tk, "")
		if err != nil {
			t.Fatalf("create ticket: %v", err)
		}
		var prev models.TicketProgress
		for rev := range 1 + r.IntN(4) {
			p := models.TicketProgress{Status: statuses[r.IntN(len(statuses))], Revision: int64(rev + 1)}
			last := reported
			for range r.IntN(4) {
				d := models.TicketDeadline{Milestone: models.MilestoneContact, Due: reported.Add(hours(200))}
				if done := reported.Add(hours(250)); r.IntN(3) > 0 && !done.After(now) {
					d.DoneAt = &done
					last = maxTime(last, done, d.Due)
				}
				p.Deadlines = append(p.Deadlines, d)
			}
			if p.Status.Terminal() {
				// Closed after every deadline it met fell due, as a
				// ticket is: no deadline met early outlives its ticket.
				closed := last.Add(hours(100))
				if closed.After(now) {
					closed = now
				}
				p.ClosedAt = &closed
			}
			ev := models.CaseEvent{Key: fmt.Sprintf("r-%d-%d", got.ID, rev), Type: "dispatch", At: reported, Detail: map[string]string{}}
			record := func(p models.TicketProgress, key string) {
				ev.Key = key
				if _, err := s.RecordTicketChange(ctx, store.TicketChange{TicketID: got.ID, Progress: p, Event: ev}); err != nil {
					t.Fatalf("record change %d of ticket %d: %v", rev, got.ID, err)
				}
			}
			record(p, ev.Key)
			switch r.IntN(6) {
			case 0: // a retried activity: the same key again
				record(p, ev.Key)
			case 1: // an older write landing late
				if rev > 0 {
					record(prev, fmt.Sprintf("late-%d-%d", got.ID, rev))
				}
			}
			prev = p
		}
	}
}

func maxTime(ts ...time.Time) time.Time {
	m := ts[0]
	for _, t := range ts[1:] {
		if t.After(m) {
			m = t
		}
	}
	return m
}

// checkSLASummary compares Dashboard with RecountDashboard for every estate
// and for the company, in several zones and at several times around now.
func checkSLASummary(t *testing.T, s *store.Store, estates []uint64, now time.Time) {
	t.Helper()
	ctx := context.Background()
	var zones []*time.Location
	for _, name := range []string{"Asia/Shanghai", "UTC", "Asia/Tokyo"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		zones = append(zones, loc)
	}
	scopes := map[string]store.Scope{"company": store.AllEstates(), "two estates": store.Estates(estates[0], estates[2])}
	for _, at := range []time.Time{now, now.Add(-75 * time.Hour), now.Add(50 * time.Hour), now.AddDate(0, 0, -40)} {
		for _, loc := range zones {
			for name, scope := range scopes {
				for _, id := range append([]uint64{0}, estates...) {
					f := store.DashboardFilter{EstateID: id, Now: at, Loc: loc}
					got, err := s.Dashboard(ctx, scope, f)
					if err != nil {
						t.Fatalf("dashboard: %v", err)
					}
					want, err := s.RecountDashboard(ctx, scope, f)
					if err != nil {
						t.Fatalf("recount: %v", err)
					}
					if !reflect.DeepEqual(got, want) {
						for i := range want.SLA {
							if got.SLA[i] != want.SLA[i] {
								t.Errorf("%s, estate %d, %s, at %s: week %s %s: got %d/%d, want %d/%d", name, id, loc, at,
									want.SLA[i].Week, want.SLA[i].Urgency, got.SLA[i].Met, got.SLA[i].Due, want.SLA[i].Met, want.SLA[i].Due)
							}
						}
						t.Fatalf("%s, estate %d, %s, at %s: got breaches today %d (%d tickets), open %+v; want %d (%d tickets), open %+v", name, id, loc, at,
							got.BreachesToday, len(got.BreachedTodayTickets), got.Open, want.BreachesToday, len(want.BreachedTodayTickets), want.Open)
					}
				}
			}
		}
	}
}

// TestSLASummaryEqualsRecount holds the dashboard's SLA summary and open
// ticket totals equal to a recount from the tickets after a random run through the store's write
// paths, after an estate changes time zone, after the one-time backfill at
// upgrade, and after a rebuild over tickets inserted behind the store.
func TestSLASummaryEqualsRecount(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 3, 4, 15, 7, 0, 0, sh) // a Wednesday
	storetest.Each(t, storetest.Options{Now: func() time.Time { return now }}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(slaSeed, 1))
		a, b := ticketEstate(t, s, "A"), ticketEstate(t, s, "B")
		c := models.Estate{Code: "C", Name: "测试 C", TimeZone: "UTC"}
		if err := s.CreateEstate(ctx, &c, models.DefaultPolicy(), nil); err != nil {
			t.Fatal(err)
		}
		estates := []uint64{a, b, c.ID}
		randomTickets(t, s, r, estates, 120, now)
		checkSLASummary(t, s, estates, now)

		t.Run("time zone changed", func(t *testing.T) {
			e, err := s.Estate(ctx, store.AllEstates(), b)
			if err != nil {
				t.Fatal(err)
			}
			e.TimeZone = "Asia/Tokyo"
			if err := s.UpdateEstate(ctx, store.AllEstates(), &e); err != nil {
				t.Fatal(err)
			}
			randomTickets(t, s, r, estates, 20, now)
			checkSLASummary(t, s, estates, now)
		})
		t.Run("a bad day", func(t *testing.T) {
			// More tickets missed today than the dashboard lists, three
			// by three due at the same minute, each with a deadline done
			// late and one still open, and one met early due later this
			// week. In each three the first is the most urgent, which an
			// index of urgencies reads first: the list must still order
			// a minute's tickets by number, highest first, however the
			// page of rows it reads cuts through them.
			const n = 150
			var last [2]uint64 // the last two created, due at now
			tiers := []models.Urgency{models.UrgencyUrgent, models.UrgencyNormal, models.UrgencyCritical}
			for i := range n {
				due := now.Add(-time.Duration((n-1-i)/3) * time.Minute)
				late, early := due.Add(time.Hour), due.Add(-time.Hour)
				tk := newTicket(estates[i%2], due.Add(-2*time.Hour))
				tk.Urgency = tiers[i%3]
				got, _, err := s.CreateTicket(ctx, store.AllEstates(), tk, "")
				if err != nil {
					t.Fatal(err)
				}
				p := models.TicketProgress{Status: models.StatusInProgress, Revision: 1, Deadlines: []models.TicketDeadline{
					{Milestone: models.MilestoneContact, Due: due, DoneAt: &late},
					{Milestone: models.MilestoneOnSite, Due: due},
					{Milestone: models.MilestoneComplete, Due: now.Add(30 * time.Hour), DoneAt: &early},
				}}
				ev := models.CaseEvent{Key: fmt.Sprintf("bad-%d", got.ID), Type: "escalation", At: due, Detail: map[string]string{}}
				if _, err := s.RecordTicketChange(ctx, store.TicketChange{TicketID: got.ID, Progress: p, Event: ev}); err != nil {
					t.Fatal(err)
				}
				last[0], last[1] = got.ID, last[0]
			}
			checkSLASummary(t, s, estates, now)
			d, err := s.Dashboard(ctx, store.AllEstates(), store.DashboardFilter{Now: now, Loc: sh})
			if err != nil {
				t.Fatal(err)
			}
			if d.BreachesToday < 2*n || len(d.BreachedTodayTickets) != 100 {
				t.Fatalf("breaches today: got %d, %d tickets listed; want at least %d, 100 listed", d.BreachesToday, len(d.BreachedTodayTickets), 2*n)
			}
			// The latest breached first: the last pair created, due at
			// now, highest number first.
			if first := d.BreachedTodayTickets[:2]; first[0].ID != last[0] || first[1].ID != last[1] {
				t.Fatalf("first listed: #%d, #%d; want #%d, #%d", first[0].ID, first[1].ID, last[0], last[1])
			}
			// So are those escalated, each escalated when its on-site
			// deadline passed.
			if d.EscalationsToday != n || len(d.EscalatedTodayTickets) != 100 {
				t.Fatalf("escalations today: got %d, %d tickets listed; want %d, 100 listed", d.EscalationsToday, len(d.EscalatedTodayTickets), n)
			}
			if first := d.EscalatedTodayTickets[:2]; first[0].ID != last[0] || first[1].ID != last[1] {
				t.Fatalf("first escalated: #%d, #%d; want #%d, #%d", first[0].ID, first[1].ID, last[0], last[1])
			}
		})
		t.Run("a burst at one instant", func(t *testing.T) {
			// More tickets than the dashboard lists, all missed at one
			// instant just before the bad day's last minute, two
			// deadlines each: the page of rows the list reads ends in the
			// middle of the instant, and the list goes on with the
			// instant's tickets by number, highest first, from as many of
			// its rows as it needs rather than all of them.
			const n = 130
			at := now.Add(-10 * time.Second)
			var burst []uint64
			for i := range n {
				got, _, err := s.CreateTicket(ctx, store.AllEstates(), newTicket(estates[i%2], at.Add(-2*time.Hour)), "")
				if err != nil {
					t.Fatal(err)
				}
				p := models.TicketProgress{Status: models.StatusInProgress, Revision: 1, Deadlines: []models.TicketDeadline{
					{Milestone: models.MilestoneContact, Due: at},
					{Milestone: models.MilestoneOnSite, Due: at},
				}}
				ev := models.CaseEvent{Key: fmt.Sprintf("burst-%d", got.ID), Type: "note", At: at, Detail: map[string]string{}}
				if _, err := s.RecordTicketChange(ctx, store.TicketChange{TicketID: got.ID, Progress: p, Event: ev}); err != nil {
					t.Fatal(err)
				}
				burst = append(burst, got.ID)
			}
			checkSLASummary(t, s, estates, now)
			d, err := s.Dashboard(ctx, store.AllEstates(), store.DashboardFilter{Now: now, Loc: sh})
			if err != nil {
				t.Fatal(err)
			}
			// The bad day's last three, due at now, then the burst's
			// highest numbers.
			if len(d.BreachedTodayTickets) != 100 {
				t.Fatalf("breached today: %d tickets listed, want 100", len(d.BreachedTodayTickets))
			}
			slices.Reverse(burst)
			for i, tk := range d.BreachedTodayTickets[3:] {
				if tk.ID != burst[i] {
					t.Fatalf("listed %d after the bad day's last three: #%d, want #%d (the burst's highest numbers first)", i+1, tk.ID, burst[i])
				}
			}
		})
		t.Run("open counts filled at upgrade", func(t *testing.T) {
			// Day rows as the version before wrote them: no count of the
			// deadlines not done, and no record of this upgrade.
			db := s.DB().WithContext(ctx)
			if err := db.Exec("UPDATE sla_days SET open = 0").Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Exec("DELETE FROM upgrades WHERE name = ?", "sla_days_open").Error; err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			checkSLASummary(t, s, estates, now)
		})
		t.Run("backfill at upgrade", func(t *testing.T) {
			backfill(t, s, "sla_deadlines", "sla_days", "ticket_status_totals")
			checkSLASummary(t, s, estates, now)
			db := s.DB().WithContext(ctx)
			// Once only: a later start leaves the summary alone.
			if err := db.Exec("DELETE FROM sla_days").Error; err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			var n int64
			if err := db.Table("sla_days").Count(&n).Error; err != nil || n != 0 {
				t.Fatalf("sla days after a second start: got %d, %v; want 0 (no second backfill)", n, err)
			}
		})
		t.Run("rebuilt after a bulk load", func(t *testing.T) {
			due := now.Add(-30 * time.Hour)
			tk := newTicket(a, now.Add(-40*time.Hour))
			tk.Deadlines = []models.TicketDeadline{{Milestone: models.MilestoneContact, Due: due}}
			if err := s.DB().WithContext(ctx).Create(tk).Error; err != nil {
				t.Fatal(err)
			}
			if err := s.RebuildSummaries(ctx); err != nil {
				t.Fatal(err)
			}
			checkSLASummary(t, s, estates, now)
		})
	})
}

// TestCaseTotalsEqualRecount holds the arrears stage totals equal to a
// count of the cases after random cases are opened and moved through
// stages and amounts by the store's write paths (retried and late writes
// among them), and after the one-time backfill at upgrade.
func TestCaseTotalsEqualRecount(t *testing.T) {
	now := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	storetest.Each(t, storetest.Options{Now: func() time.Time { return now }}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(slaSeed, 2))
		all := store.AllEstates()
		estates := []uint64{ticketEstate(t, s, "A"), ticketEstate(t, s, "B")}
		var buildings []uint64
		for _, e := range estates {
			b := models.Building{EstateID: e, Name: "1栋"}
			must(t, s.CreateBuilding(ctx, all, &b))
			buildings = append(buildings, b.ID)
		}
		stages := models.Stages()
		for i := range 60 {
			u := models.Unit{BuildingID: buildings[r.IntN(len(buildings))], Number: fmt.Sprintf("%d", 101+i)}
			must(t, s.CreateUnit(ctx, all, &u))
			h := models.Household{UnitID: u.ID}
			must(t, s.CreateHousehold(ctx, all, &h))
			hh := h.ID
			c, err := s.OpenCase(ctx, &models.CollectionCase{HouseholdID: hh, WorkflowID: fmt.Sprintf("collection-%d", hh),
				Key: fmt.Sprintf("collection-%d/run", hh), OpenedAt: now})
			if err != nil {
				t.Fatal(err)
			}
			if r.IntN(4) == 0 { // opened twice: the second returns the first
				if _, err := s.OpenCase(ctx, &models.CollectionCase{HouseholdID: hh, Key: fmt.Sprintf("collection-%d/run", hh), OpenedAt: now}); err != nil {
					t.Fatal(err)
				}
			}
			for rev := range r.IntN(4) {
				p := models.CaseProgress{Stage: stages[r.IntN(len(stages))], StepReached: -1, OwedFen: models.Money(r.IntN(100000)), Revision: int64(2 + rev)}
				if r.IntN(5) == 0 {
					p.Revision = 1 // older than what the row holds after the first: changes nothing
				}
				ev := models.CaseEvent{Key: fmt.Sprintf("c-%d-%d", c.ID, rev), Type: "stage", At: now, Detail: map[string]string{}}
				for range 1 + r.IntN(2) { // now and then retried
					if _, err := s.RecordCaseChange(ctx, store.CaseChange{CaseID: c.ID, Progress: p, Event: ev}); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		check := func() {
			t.Helper()
			filters := []store.CaseFilter{{}, {Open: true}, {Legal: true}, {Stage: models.StageDunning}}
			for _, scope := range []store.Scope{store.AllEstates(), store.Estates(estates[1])} {
				for _, id := range append([]uint64{0}, estates...) {
					for _, f := range filters {
						f.EstateID = id
						sameAsRecount(t, fmt.Sprintf("estate %d, %+v", id, f), s.CaseTotals, s.RecountCaseTotals, scope, f)
						// The arrears list's total is theirs.
						l, err := s.Cases(ctx, scope, f, store.Page{Size: 5})
						if err != nil {
							t.Fatal(err)
						}
						recount, err := s.RecountCaseTotals(ctx, scope, f)
						if err != nil {
							t.Fatal(err)
						}
						var n int64
						for _, st := range recount {
							n += st.Cases
						}
						if l.Total != n {
							t.Fatalf("estate %d, %+v: list total %d, want %d", id, f, l.Total, n)
						}
					}
				}
			}
		}
		check()
		backfill(t, s, "case_stage_totals")
		check()
	})
}

// sameAsRecount fails t unless read and recount agree on scope and f.
func sameAsRecount[F, T any](t *testing.T, what string, read, recount func(context.Context, store.Scope, F) (T, error), scope store.Scope, f F) {
	t.Helper()
	ctx := context.Background()
	got, err := read(ctx, scope, f)
	if err != nil {
		t.Fatal(err)
	}
	want, err := recount(ctx, scope, f)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: got %+v, want %+v", what, got, want)
	}
}

// backfill empties the summary tables and the record of upgrades done, and
// migrates again: the one-time fills run as at the first start.
func backfill(t *testing.T, s *store.Store, tables ...string) {
	t.Helper()
	ctx := context.Background()
	for _, table := range append(tables, "upgrades") {
		if err := s.DB().WithContext(ctx).Exec("DELETE FROM " + table).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestSummariesUnderConcurrentWrites records tickets' progress and
// payments from several goroutines at once, on counters they share (one
// estate, a few days, one billing period): no write fails (on MySQL, no
// deadlock between the summary rows) and the summaries equal the recounts.
func TestSummariesUnderConcurrentWrites(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 4, 15, 9, 0, 0, 0, sh)
	storetest.Each(t, storetest.Options{Now: func() time.Time { return now }}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		fees := models.DefaultPolicy().Fees
		a, units := collectionEstate(t, s, "A", 8)
		var households []uint64
		for _, u := range units {
			h := models.Household{UnitID: u}
			must(t, s.CreateHousehold(ctx, all, &h))
			households = append(households, h.ID)
			if _, err := s.IssueBill(ctx, all, h.ID, models.Month{Year: 2026, Month: 4}, 20000, fees, nil); err != nil {
				t.Fatal(err)
			}
		}
		const workers = 8
		errs := make(chan error, workers)
		for w := range workers {
			go func() {
				errs <- func() error {
					for i := range 6 {
						tk := newTicket(a, now.Add(-time.Duration(i)*time.Hour))
						got, _, err := s.CreateTicket(ctx, all, tk, "")
						if err != nil {
							return err
						}
						due := now.Add(-time.Duration(i%3) * 24 * time.Hour)
						p := models.TicketProgress{Status: models.StatusAssigned, Revision: 1,
							Deadlines: []models.TicketDeadline{{Milestone: models.MilestoneContact, Due: due}}}
						ev := models.CaseEvent{Key: fmt.Sprintf("w%d-%d", w, i), Type: "dispatch", At: now, Detail: map[string]string{}}
						if _, err := s.RecordTicketChange(ctx, store.TicketChange{TicketID: got.ID, Progress: p, Event: ev}); err != nil {
							return err
						}
						pay := models.FeePayment{HouseholdID: households[w], AmountFen: 1000, PaidAt: now.Add(-time.Hour),
							Channel: models.PayWeChat, Reference: fmt.Sprintf("w%d-%d", w, i), RecordedBy: 1}
						if _, _, err := s.RecordPayment(ctx, all, &pay, sh); err != nil {
							return err
						}
					}
					return nil
				}()
			}()
		}
		for range workers {
			if err := <-errs; err != nil {
				t.Fatalf("a concurrent write: %v", err)
			}
		}
		checkSLASummary(t, s, []uint64{a, a, a}, now)
		sameAsRecount(t, "collection rates", s.CollectionRates, s.RecountCollectionRates, all, store.DashboardFilter{Now: now, Loc: sh})
	})
}
