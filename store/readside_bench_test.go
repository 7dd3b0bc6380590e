package store_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// benchSize reads a size from the environment: small by default, so that
// `go test -bench ReadSide ./store` checks the benchmark works; issue 15's
// sizes are WUYE_BENCH_TICKETS=100000 WUYE_BENCH_CASES=100000.
func benchSize(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("%s: got %q, want a positive number", name, v)
	}
	return n
}

// BenchmarkReadSide times the screens of issue 15 ("every screen answers
// in 100 ms at 100,000 cases") in the store: the dashboard's parts, one
// estate and every estate, and page 200 of the ticket list and the arrears
// board, by number and by cursor, and the one-time fill of the summary
// rows at upgrade (RebuildSummaries). The database holds WUYE_BENCH_TICKETS
// tickets (default 2,000) and WUYE_BENCH_CASES arrears cases (default
// 1,000, three bills each), on SQLite, or on MariaDB with
// WUYE_BENCH_DRIVER=mysql. Each sub-benchmark's ns/op is one request.
func BenchmarkReadSide(b *testing.B) {
	var s *store.Store
	if os.Getenv("WUYE_BENCH_DRIVER") == "mysql" {
		s = storetest.MySQL(b, storetest.Options{})
	} else {
		s = storetest.SQLite(b, storetest.Options{})
	}
	ctx := context.Background()
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	estate := readSideData(b, s, benchSize(b, "WUYE_BENCH_TICKETS", 2000), benchSize(b, "WUYE_BENCH_CASES", 1000), now, sh)
	busy := breachDayData(b, s, benchSize(b, "WUYE_BENCH_BREACHES", 500), benchSize(b, "WUYE_BENCH_BURST", 200), now, sh)
	all := store.AllEstates()
	size := 50
	deep := func(list func(p store.Page) (string, error)) func(b *testing.B) {
		return func(b *testing.B) {
			// The cursor of page 199, walked once before timing.
			cursor := ""
			for range 199 {
				next, err := list(store.Page{Size: size, After: cursor})
				if err != nil {
					b.Fatal(err)
				}
				if next == "" {
					b.Skip("fewer than 200 pages: raise WUYE_BENCH_TICKETS / WUYE_BENCH_CASES")
				}
				cursor = next
			}
			b.ResetTimer()
			for range b.N {
				if _, err := list(store.Page{Size: size, After: cursor}); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	tickets := func(estateID uint64) func(p store.Page) (string, error) {
		return func(p store.Page) (string, error) {
			l, err := s.Tickets(ctx, all, store.TicketFilter{EstateID: estateID}, p)
			return l.Next, err
		}
	}
	cases := func(estateID uint64) func(p store.Page) (string, error) {
		return func(p store.Page) (string, error) {
			l, err := s.Cases(ctx, all, store.CaseFilter{EstateID: estateID, Open: true}, p)
			return l.Next, err
		}
	}
	for _, scope := range []struct {
		name   string
		estate uint64
	}{{"one estate", estate}, {"busy estate", busy}, {"every estate", 0}} {
		f := store.DashboardFilter{EstateID: scope.estate, Now: now, Loc: sh}
		parts := map[string]func() error{
			"dashboard tickets":         func() error { _, err := s.Dashboard(ctx, all, f); return err },
			"dashboard tickets recount": func() error { _, err := s.RecountDashboard(ctx, all, f); return err },
			"dashboard case totals": func() error {
				_, err := s.CaseTotals(ctx, all, store.CaseFilter{EstateID: scope.estate, Open: true})
				return err
			},
			"dashboard collection rates": func() error { _, err := s.CollectionRates(ctx, all, f); return err },
			"dashboard follow-ups":       func() error { _, err := s.FollowUpsOnTime(ctx, all, f); return err },
			"tickets first page":         func() error { _, err := tickets(scope.estate)(store.Page{Size: size}); return err },
			"tickets page 200 by number": func() error {
				_, err := tickets(scope.estate)(store.Page{Size: size, Number: 200})
				return err
			},
			"arrears page 200 by number": func() error {
				_, err := cases(scope.estate)(store.Page{Size: size, Number: 200})
				return err
			},
		}
		for name, run := range parts {
			b.Run(name+"/"+scope.name, func(b *testing.B) {
				for range b.N {
					if err := run(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run("tickets page 200 by cursor/"+scope.name, deep(tickets(scope.estate)))
		b.Run("arrears page 200 by cursor/"+scope.name, deep(cases(scope.estate)))
	}
	// What the first start after the upgrade spends filling the summaries.
	b.Run("rebuild summaries", func(b *testing.B) {
		for range b.N {
			if err := s.RebuildSummaries(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// readSideData fills a new estate with n tickets over the last 90 days
// (three deadlines each, met, late or pending, in every status) and m
// households in arrears (a unit, three monthly bills, a payment from every
// other one, a case), by batched inserts, then rebuilds the SLA summary
// (RebuildSummaries, as a bulk loader must). It returns the estate.
func readSideData(b *testing.B, s *store.Store, n, m int, now time.Time, loc *time.Location) uint64 {
	ctx := context.Background()
	est := models.Estate{Code: "READ", Name: "读压测小区", TimeZone: loc.String()}
	if err := s.CreateEstate(ctx, &est, models.DefaultPolicy(), nil); err != nil {
		b.Fatal(err)
	}
	db := s.DB().WithContext(ctx)
	statuses := []models.TicketStatus{models.StatusNew, models.StatusAssigned, models.StatusInProgress, models.StatusOnHold,
		models.StatusCompleted, models.StatusClosed, models.StatusClosed, models.StatusCancelled}
	urgencies := models.Urgencies()
	var batch []models.Ticket
	for i := range n {
		reported := now.Add(-time.Duration(i%(90*24*60)) * time.Minute).UTC()
		var ds []models.TicketDeadline
		for k, ms := range []models.Milestone{models.MilestoneContact, models.MilestoneOnSite, models.MilestoneComplete} {
			d := models.TicketDeadline{Milestone: ms, Due: reported.Add(time.Duration(2+k*24+i%48) * time.Hour)}
			if done := reported.Add(time.Duration(1+k*30+i%40) * time.Hour); (i+k)%3 != 0 && done.Before(now) {
				d.DoneAt = &done
			}
			ds = append(ds, d)
		}
		t := models.Ticket{EstateID: est.ID, Kind: models.TicketRepair, Urgency: urgencies[i%len(urgencies)], Category: "水电",
			Description: "读压测工单", Location: fmt.Sprintf("%d栋", i%30+1), Channel: models.ReportPhone, ReportedAt: reported,
			FirstReceiverID: 1, TicketProgress: models.TicketProgress{Status: statuses[i%len(statuses)], Deadlines: ds}}
		if t.Status.Terminal() {
			closed := ds[2].Due
			t.ClosedAt = &closed
		} else if i%5 != 0 {
			t.NextDueAt = &ds[1].Due
		}
		if batch = append(batch, t); len(batch) == 500 || i == n-1 {
			if err := db.CreateInBatches(batch, 250).Error; err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := s.RebuildSummaries(ctx); err != nil {
		b.Fatal(err)
	}
	arrearsData(b, s, est.ID, m, now, loc)
	return est.ID
}

// breachDayData fills a new estate with a bad day: n tickets reported
// today whose contact and on-site deadlines fell due between midnight and
// now and were missed (one done late, one still open), each with its
// escalation recorded and its completion due later today, as the bench's
// spread and burst leave them. Then burst more, both deadlines missed at
// one instant a minute ago and still open, as the bench's burst leaves
// them (the rows tied at one due time). It returns the estate. The
// dashboard's "today" figures are these rows.
func breachDayData(b *testing.B, s *store.Store, n, burst int, now time.Time, loc *time.Location) uint64 {
	ctx := context.Background()
	est := models.Estate{Code: "BUSY", Name: "超时压测小区", TimeZone: loc.String()}
	if err := s.CreateEstate(ctx, &est, models.DefaultPolicy(), nil); err != nil {
		b.Fatal(err)
	}
	local := now.In(loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	day := now.Sub(midnight)
	db := s.DB().WithContext(ctx)
	var batch []models.Ticket
	var events []models.CaseEvent
	instant := now.Add(-time.Minute).UTC()
	for i := range n + burst {
		due := midnight.Add(day * time.Duration(i) / time.Duration(n)).UTC()
		if i >= n {
			due = instant
		}
		late := due.Add(day / 10)
		if late.After(now) {
			late = now
		}
		ds := []models.TicketDeadline{
			{Milestone: models.MilestoneContact, Due: due, DoneAt: &late},
			{Milestone: models.MilestoneOnSite, Due: due},
			{Milestone: models.MilestoneComplete, Due: now.Add(midnight.Add(24*time.Hour).Sub(now) * time.Duration(i%n) / time.Duration(n))}, // later today
		}
		if i >= n { // the burst: its contact still open too
			ds[0].DoneAt = nil
		}
		batch = append(batch, models.Ticket{EstateID: est.ID, Kind: models.TicketRepair, Urgency: models.Urgencies()[i%len(models.Urgencies())],
			Category: "水电", Description: "超时压测工单", Location: "1栋", Channel: models.ReportPhone, ReportedAt: due.Add(-time.Minute),
			FirstReceiverID: 1,
			TicketProgress:  models.TicketProgress{Status: models.StatusInProgress, EscalationLevel: 1, Deadlines: ds, NextDueAt: &ds[1].Due}})
		if len(batch) == 500 || i == n+burst-1 {
			if err := db.CreateInBatches(batch, 250).Error; err != nil {
				b.Fatal(err)
			}
			// Each escalation at its own time, a microsecond per ticket
			// after the on-site deadline (the burst's are not one instant:
			// the engine drains them one by one).
			for _, t := range batch {
				events = append(events, models.CaseEvent{EstateID: est.ID, Kind: models.KindTicket, CaseID: t.ID,
					Key: fmt.Sprintf("busy-%d", t.ID), Type: "escalation", At: t.Deadlines[1].Due.Add(time.Duration(t.ID) * time.Microsecond), Detail: map[string]string{}})
			}
			if err := db.CreateInBatches(events, 250).Error; err != nil {
				b.Fatal(err)
			}
			batch, events = batch[:0], events[:0]
		}
	}
	if err := s.RebuildSummaries(ctx); err != nil {
		b.Fatal(err)
	}
	return est.ID
}

// arrearsData writes m households in arrears into an estate.
func arrearsData(b *testing.B, s *store.Store, estate uint64, m int, now time.Time, loc *time.Location) {
	db := s.DB()
	fees := models.DefaultPolicy().Fees
	today := models.DateOf(now, loc)
	local := now.In(loc)
	stages := []models.CaseStage{models.StageDunning, models.StageReminding, models.StageDunning, models.StagePaused, models.StageLegal, models.StageClosed}
	for start := 0; start < m; start += 1000 {
		count := min(1000, m-start)
		bd := models.Building{EstateID: estate, Name: fmt.Sprintf("%d号楼", start/1000+1)}
		if err := db.Create(&bd).Error; err != nil {
			b.Fatal(err)
		}
		units := make([]models.Unit, count)
		for i := range units {
			units[i] = models.Unit{EstateID: estate, BuildingID: bd.ID, Number: strconv.Itoa(1001 + i), Floor: 1 + i/10, Area: 90_00}
		}
		if err := db.CreateInBatches(units, 500).Error; err != nil {
			b.Fatal(err)
		}
		hs := make([]models.Household, count)
		for i := range hs {
			hs[i] = models.Household{EstateID: estate, UnitID: units[i].ID, Status: models.HouseholdActive}
		}
		if err := db.CreateInBatches(hs, 500).Error; err != nil {
			b.Fatal(err)
		}
		var bills []models.HouseholdBill
		var pays []models.FeePayment
		var cs []models.CollectionCase
		for i, h := range hs {
			var first *time.Time
			for back := 2; back >= 0; back-- {
				p := models.Month{Year: local.Year(), Month: local.Month() - time.Month(back)}
				p = models.Month{Year: time.Date(p.Year, p.Month, 1, 0, 0, 0, 0, time.UTC).Year(), Month: time.Date(p.Year, p.Month, 1, 0, 0, 0, 0, time.UTC).Month()}
				due := models.DateTime(models.BillDueDate(p, fees))
				bills = append(bills, models.HouseholdBill{EstateID: estate, HouseholdID: h.ID, Period: p.String(), AmountFen: 30000, DueOn: due, OriginalDueOn: due})
				if first == nil {
					first = &due
				}
			}
			if i%2 == 0 {
				pays = append(pays, models.FeePayment{EstateID: estate, HouseholdID: h.ID, AmountFen: 15000, PaidAt: now.UTC(),
					PaidOn: models.DateTime(today), Channel: models.PayWeChat, Reference: fmt.Sprintf("read-%d", h.ID), RecordedBy: 1})
			}
			c := models.CollectionCase{EstateID: estate, HouseholdID: h.ID, Key: fmt.Sprintf("read-%d", h.ID),
				WorkflowID: fmt.Sprintf("collection-%d", h.ID), OpenedAt: first.Add(24 * time.Hour),
				CaseProgress: models.CaseProgress{Stage: stages[i%len(stages)], Segment: models.SegmentStandard, OwedFen: 90000, OldestDueOn: first}}
			if c.Stage == models.StageClosed {
				c.OldestDueOn, c.OwedFen = nil, 0
			}
			cs = append(cs, c)
		}
		for _, rows := range []any{bills, pays, cs} {
			if err := db.CreateInBatches(rows, 500).Error; err != nil {
				b.Fatal(err)
			}
		}
	}
}
