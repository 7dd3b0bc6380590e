package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// dashTicket creates a ticket of urgency u and records one change that gives
// it progress p and, when evType is set, an event of that type at evAt.
func dashTicket(t *testing.T, s *store.Store, estate uint64, u models.Urgency, reported time.Time, p models.TicketProgress, evType string, evAt time.Time) uint64 {
	t.Helper()
	ctx := context.Background()
	tk := newTicket(estate, reported)
	tk.Urgency = u
	got, _, err := s.CreateTicket(ctx, store.AllEstates(), tk, "")
	if err != nil {
		t.Fatalf("create ticket: %v", err)
	}
	p.Revision = 1
	if evType == "" {
		evType, evAt = "dispatch", reported
	}
	ev := models.CaseEvent{Key: fmt.Sprintf("dash-%d", got.ID), Type: evType, At: evAt, Detail: map[string]string{}}
	if _, err := s.RecordTicketChange(ctx, store.TicketChange{TicketID: got.ID, Progress: p, Event: ev}); err != nil {
		t.Fatalf("record change: %v", err)
	}
	return got.ID
}

func TestDashboardCountsTheReadModel(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	on := func(month time.Month, day, hour, minute int) time.Time {
		return time.Date(2026, month, day, hour, minute, 0, 0, sh)
	}
	ptr := func(t time.Time) *time.Time { return &t }
	now := on(3, 4, 15, 0) // a Wednesday
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := ticketEstate(t, s, "A"), ticketEstate(t, s, "B")
		// Met its contact, missed on-site today, completion still to come.
		t1 := dashTicket(t, s, a, models.UrgencyCritical, on(3, 4, 8, 50), models.TicketProgress{
			Status: models.StatusInProgress, NextDueAt: ptr(on(3, 5, 12, 0)), NextDueKind: models.MilestoneComplete,
			Deadlines: []models.TicketDeadline{
				{Milestone: models.MilestoneContact, Due: on(3, 4, 9, 0), DoneAt: ptr(on(3, 4, 8, 55))},
				{Milestone: models.MilestoneOnSite, Due: on(3, 4, 10, 0), DoneAt: ptr(on(3, 4, 10, 30))},
				{Milestone: models.MilestoneComplete, Due: on(3, 5, 12, 0)},
			}}, "escalation", on(3, 3, 16, 0))
		// Missed its contact on Monday and is still waiting; escalated today.
		t2 := dashTicket(t, s, a, models.UrgencyUrgent, on(3, 2, 9, 0), models.TicketProgress{
			Status: models.StatusAssigned, NextDueAt: ptr(on(3, 2, 10, 0)), WarnAt: ptr(on(3, 2, 9, 50)),
			Deadlines: []models.TicketDeadline{{Milestone: models.MilestoneContact, Due: on(3, 2, 10, 0)}},
		}, "escalation", on(3, 4, 11, 0))
		// Closed in February: a met contact; its completion was never owed.
		dashTicket(t, s, a, models.UrgencyNormal, on(2, 18, 9, 0), models.TicketProgress{
			Status: models.StatusClosed, ClosedAt: ptr(on(2, 20, 9, 0)),
			Deadlines: []models.TicketDeadline{
				{Milestone: models.MilestoneContact, Due: on(2, 18, 9, 30), DoneAt: ptr(on(2, 18, 9, 10))},
				{Milestone: models.MilestoneComplete, Due: on(2, 25, 9, 0)},
			}}, "", time.Time{})
		// Warned, not yet due.
		dashTicket(t, s, a, models.UrgencyNormal, on(3, 4, 14, 40), models.TicketProgress{
			Status: models.StatusNew, NextDueAt: ptr(now.Add(10 * time.Minute)), WarnAt: ptr(now.Add(-5 * time.Minute)),
			Deadlines: []models.TicketDeadline{{Milestone: models.MilestoneContact, Due: now.Add(10 * time.Minute)}},
		}, "", time.Time{})
		// Closed long before the window.
		dashTicket(t, s, a, models.UrgencyCritical, time.Date(2025, 9, 1, 9, 0, 0, 0, sh), models.TicketProgress{
			Status: models.StatusClosed, ClosedAt: ptr(time.Date(2025, 9, 2, 9, 0, 0, 0, sh)),
			Deadlines: []models.TicketDeadline{{Milestone: models.MilestoneContact, Due: time.Date(2025, 9, 1, 9, 5, 0, 0, sh)}},
		}, "", time.Time{})
		// Another estate's breached, escalated ticket.
		dashTicket(t, s, b, models.UrgencyCritical, on(3, 4, 9, 0), models.TicketProgress{
			Status: models.StatusNew, NextDueAt: ptr(on(3, 4, 9, 5)),
			Deadlines: []models.TicketDeadline{{Milestone: models.MilestoneContact, Due: on(3, 4, 9, 5)}},
		}, "escalation", on(3, 4, 9, 10))

		for _, tt := range []struct {
			name  string
			scope store.Scope
			f     store.DashboardFilter
		}{
			{"estate A as company", store.AllEstates(), store.DashboardFilter{EstateID: a, Now: now, Loc: sh}},
			{"estate A staff", store.Estates(a), store.DashboardFilter{Now: now, Loc: sh}},
		} {
			d, err := s.Dashboard(ctx, tt.scope, tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			wantOpen := []store.OpenCount{
				{Status: models.StatusAssigned, Urgency: models.UrgencyUrgent, Count: 1},
				{Status: models.StatusInProgress, Urgency: models.UrgencyCritical, Count: 1},
				{Status: models.StatusNew, Urgency: models.UrgencyNormal, Count: 1},
			}
			if len(d.Open) != len(wantOpen) {
				t.Fatalf("%s: open: got %+v, want %+v", tt.name, d.Open, wantOpen)
			}
			for i := range wantOpen {
				if d.Open[i] != wantOpen[i] {
					t.Errorf("%s: open[%d]: got %+v, want %+v", tt.name, i, d.Open[i], wantOpen[i])
				}
			}
			if d.OpenTotal != 3 || d.Breached != 1 || d.AtRisk != 1 {
				t.Errorf("%s: got open %d, breached %d, at risk %d; want 3, 1, 1", tt.name, d.OpenTotal, d.Breached, d.AtRisk)
			}
			if d.BreachesToday != 1 || len(d.BreachedTodayTickets) != 1 || d.BreachedTodayTickets[0].ID != t1 {
				t.Errorf("%s: breaches today: got %d %v, want 1 [ticket %d]", tt.name, d.BreachesToday, ids(d.BreachedTodayTickets), t1)
			}
			if d.EscalationsToday != 1 || len(d.EscalatedTodayTickets) != 1 || d.EscalatedTodayTickets[0].ID != t2 {
				t.Errorf("%s: escalations today: got %d %v, want 1 [ticket %d]", tt.name, d.EscalationsToday, ids(d.EscalatedTodayTickets), t2)
			}
			if len(d.SLA) != 3*(store.DashboardWeeks+1) {
				t.Fatalf("%s: SLA rows: got %d, want %d", tt.name, len(d.SLA), 3*(store.DashboardWeeks+1))
			}
			for _, w := range []struct {
				week     time.Time
				u        models.Urgency
				due, met int64
			}{
				{on(3, 2, 0, 0), models.UrgencyCritical, 2, 1},
				{on(3, 2, 0, 0), models.UrgencyUrgent, 1, 0},
				{on(3, 2, 0, 0), models.UrgencyNormal, 0, 0},
				{on(2, 16, 0, 0), models.UrgencyNormal, 1, 1},
				{on(2, 23, 0, 0), models.UrgencyNormal, 0, 0},
			} {
				got, ok := slaOf(d.SLA, w.week, w.u)
				if !ok || got.Due != w.due || got.Met != w.met {
					t.Errorf("%s: SLA %s week of %s: got %+v (found %v), want due %d met %d", tt.name, w.u, w.week.Format("01-02"), got, ok, w.due, w.met)
				}
			}
			if last := d.SLA[len(d.SLA)-1]; !last.Week.Equal(on(3, 2, 0, 0)) {
				t.Errorf("%s: last SLA week: got %s, want this week's Monday", tt.name, last.Week)
			}
		}
		d, err := s.Dashboard(ctx, store.Estates(b), store.DashboardFilter{Now: now, Loc: sh})
		if err != nil || d.OpenTotal != 1 || d.Breached != 1 || d.EscalationsToday != 1 {
			t.Errorf("estate B: got open %d, breached %d, escalations %d, %v; want 1, 1, 1", d.OpenTotal, d.Breached, d.EscalationsToday, err)
		}
	})
}

func slaOf(rows []store.SLAWeek, week time.Time, u models.Urgency) (store.SLAWeek, bool) {
	for _, r := range rows {
		if r.Week.Equal(week) && r.Urgency == u {
			return r, true
		}
	}
	return store.SLAWeek{}, false
}

func ids(ts []models.Ticket) []uint64 {
	out := []uint64{}
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

// collectionEstate creates an estate without late fees and n units in one
// building; it returns the estate and the units.
func collectionEstate(t *testing.T, s *store.Store, code string, n int) (uint64, []uint64) {
	t.Helper()
	ctx := context.Background()
	all := store.AllEstates()
	pol := models.DefaultPolicy()
	pol.Fees.LateFeePerTenThousand = 0
	e := models.Estate{Code: code, Name: "测试 " + code, TimeZone: "Asia/Shanghai"}
	must(t, s.CreateEstate(ctx, &e, pol, nil))
	b := models.Building{EstateID: e.ID, Name: "1栋"}
	must(t, s.CreateBuilding(ctx, all, &b))
	var units []uint64
	for i := range n {
		u := models.Unit{BuildingID: b.ID, Number: fmt.Sprintf("%d", 101+i)}
		must(t, s.CreateUnit(ctx, all, &u))
		units = append(units, u.ID)
	}
	return e.ID, units
}

func TestDashboardCollectionRatesSettleOldestBillsFirst(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 4, 15, 9, 0, 0, 0, sh)
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := store.AllEstates()
		fees := models.DefaultPolicy().Fees
		household := func(unit uint64) uint64 {
			h := models.Household{UnitID: unit}
			must(t, s.CreateHousehold(ctx, all, &h))
			return h.ID
		}
		bill := func(hh uint64, month time.Month, fen models.Money) {
			if _, err := s.IssueBill(ctx, all, hh, models.Month{Year: 2026, Month: month}, fen, fees, nil); err != nil {
				t.Fatal(err)
			}
		}
		pay := func(hh uint64, fen models.Money, at time.Time, ref string) {
			p := models.FeePayment{HouseholdID: hh, AmountFen: fen, PaidAt: at, Channel: models.PayWeChat, Reference: ref, RecordedBy: 1}
			if _, _, err := s.RecordPayment(ctx, all, &p, sh); err != nil {
				t.Fatal(err)
			}
		}
		a, aUnits := collectionEstate(t, s, "A", 2)
		b, bUnits := collectionEstate(t, s, "B", 1)
		a1, a2, b1 := household(aUnits[0]), household(aUnits[1]), household(bUnits[0])
		// a1 owes February, March and April; 400 yuan settle February and
		// half of March.
		bill(a1, time.February, 30000)
		bill(a1, time.March, 20000)
		bill(a1, time.April, 10000)
		pay(a1, 40000, time.Date(2026, 4, 12, 10, 0, 0, 0, sh), "a1")
		// a2 paid March in full; a payment after today does not count.
		bill(a2, time.March, 5000)
		pay(a2, 5000, time.Date(2026, 4, 1, 10, 0, 0, 0, sh), "a2")
		bill(a2, time.April, 8000)
		pay(a2, 8000, now.Add(48*time.Hour), "a2-later")
		// Another estate's March bill, paid.
		bill(b1, time.March, 7000)
		pay(b1, 7000, time.Date(2026, 4, 2, 10, 0, 0, 0, sh), "b1")

		for _, tt := range []struct {
			name  string
			scope store.Scope
			f     store.DashboardFilter
			want  []store.MonthCollection
		}{
			// March's bills fell due on April 10th and count toward the
			// rate; April's are not due until May 10th.
			{"estate A staff", store.Estates(a), store.DashboardFilter{Now: now, Loc: sh}, []store.MonthCollection{
				{Period: "2026-03", Bills: 2, BilledFen: 25000, PaidFen: 15000, DueBills: 2, DueFen: 25000, DuePaidFen: 15000},
				{Period: "2026-04", Bills: 2, BilledFen: 18000, PaidFen: 0},
			}},
			{"company, estate B", all, store.DashboardFilter{EstateID: b, Now: now, Loc: sh}, []store.MonthCollection{
				{Period: "2026-03", Bills: 1, BilledFen: 7000, PaidFen: 7000, DueBills: 1, DueFen: 7000, DuePaidFen: 7000},
				{Period: "2026-04"},
			}},
			{"company", all, store.DashboardFilter{Now: now, Loc: sh}, []store.MonthCollection{
				{Period: "2026-03", Bills: 3, BilledFen: 32000, PaidFen: 22000, DueBills: 3, DueFen: 32000, DuePaidFen: 22000},
				{Period: "2026-04", Bills: 2, BilledFen: 18000, PaidFen: 0},
			}},
			{"no bills this early", all, store.DashboardFilter{Now: time.Date(2025, 12, 1, 9, 0, 0, 0, sh), Loc: sh}, []store.MonthCollection{
				{Period: "2025-11"}, {Period: "2025-12"},
			}},
		} {
			got, err := s.CollectionRates(ctx, tt.scope, tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
			}
		}
	})
}

func TestDashboardFollowUpsOnTimeByMonthCompleted(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 4, 15, 9, 0, 0, 0, sh)
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, aUnits := collectionEstate(t, s, "A", 5)
		b, bUnits := collectionEstate(t, s, "B", 1)
		// complete moves a follow-up of a move-in at movedIn to completed
		// at closed, its visit made at visited.
		complete := func(unit uint64, movedIn, visited, closed time.Time) {
			t.Helper()
			rec, _, err := s.RegisterMoveIn(ctx, store.AllEstates(), moveInto(unit, movedIn), "")
			if err != nil {
				t.Fatal(err)
			}
			p := rec.FollowUp.FollowUpProgress
			p.Status, p.ClosedAt, p.Revision = models.FollowUpCompleted, &closed, 1
			p.Visit = &models.FollowUpVisit{VisitedAt: visited, Channel: models.VisitInPerson, Participants: []string{"客服"}, Satisfaction: 5}
			ev := models.CaseEvent{Key: fmt.Sprintf("fu-%d/1", rec.FollowUp.ID), Type: "record", At: closed}
			if _, err := s.RecordFollowUpChange(ctx, store.FollowUpChange{FollowUpID: rec.FollowUp.ID, Progress: p, Event: ev}); err != nil {
				t.Fatal(err)
			}
		}
		day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 10, 0, 0, 0, sh) }
		window := models.DefaultPolicy().FollowUp.Window.Std()
		// Last month: on time. This month: one on time, one late (its
		// tickets closed it a week after the visit), and one pending.
		complete(aUnits[0], day(3, 1), day(3, 3), day(3, 20))
		complete(aUnits[1], day(3, 20), day(3, 22), day(4, 2))
		complete(aUnits[2], day(2, 1), day(2, 1).Add(window+time.Hour), day(4, 8))
		if _, _, err := s.RegisterMoveIn(ctx, store.AllEstates(), moveInto(aUnits[3], day(4, 10)), ""); err != nil {
			t.Fatal(err)
		}
		// Completed before last month: not counted. Another estate's.
		complete(aUnits[4], day(1, 1), day(1, 2), day(2, 27))
		complete(bUnits[0], day(4, 1), day(4, 2), day(4, 3))

		for _, tt := range []struct {
			name  string
			scope store.Scope
			f     store.DashboardFilter
			want  []store.MonthFollowUps
		}{
			{"estate A staff", store.Estates(a), store.DashboardFilter{Now: now, Loc: sh}, []store.MonthFollowUps{
				{Month: "2026-03", Completed: 1, OnTime: 1}, {Month: "2026-04", Completed: 2, OnTime: 1}}},
			{"company, estate B", store.AllEstates(), store.DashboardFilter{EstateID: b, Now: now, Loc: sh}, []store.MonthFollowUps{
				{Month: "2026-03"}, {Month: "2026-04", Completed: 1, OnTime: 1}}},
		} {
			got, err := s.FollowUpsOnTime(ctx, tt.scope, tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
			}
		}
	})
}

func TestDashboardSLAWindowBoundary(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := func(y int, m time.Month, d, hour, minute int) time.Time {
		return time.Date(y, m, d, hour, minute, 0, 0, sh)
	}
	ptr := func(t time.Time) *time.Time { return &t }
	now := at(2026, 3, 4, 15, 0)  // a Wednesday
	from := at(2025, 12, 8, 0, 0) // Monday, 12 weeks before this one
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := ticketEstate(t, s, "A")
		// Reported 13 weeks ago and still open: its contact fell due a
		// nanosecond before the window (not counted), its completion at the
		// window's first instant (counted, missed).
		dashTicket(t, s, a, models.UrgencyCritical, at(2025, 12, 1, 9, 0), models.TicketProgress{
			Status: models.StatusInProgress, NextDueAt: ptr(from),
			Deadlines: []models.TicketDeadline{
				{Milestone: models.MilestoneContact, Due: from.Add(-time.Nanosecond)},
				{Milestone: models.MilestoneComplete, Due: from},
			}}, "", time.Time{})
		// Closed the day before the window: not counted at all.
		dashTicket(t, s, a, models.UrgencyNormal, at(2025, 12, 6, 9, 0), models.TicketProgress{
			Status: models.StatusClosed, ClosedAt: ptr(at(2025, 12, 7, 12, 0)),
			Deadlines: []models.TicketDeadline{
				{Milestone: models.MilestoneContact, Due: at(2025, 12, 7, 10, 0), DoneAt: ptr(at(2025, 12, 7, 9, 0))},
			}}, "", time.Time{})
		// Reported before the window, closed inside it, its deadline met
		// inside it: counted.
		dashTicket(t, s, a, models.UrgencyUrgent, at(2025, 12, 5, 9, 0), models.TicketProgress{
			Status: models.StatusClosed, ClosedAt: ptr(at(2025, 12, 10, 12, 0)),
			Deadlines: []models.TicketDeadline{
				{Milestone: models.MilestoneComplete, Due: at(2025, 12, 9, 18, 0), DoneAt: ptr(at(2025, 12, 9, 17, 0))},
			}}, "", time.Time{})

		d, err := s.Dashboard(ctx, store.AllEstates(), store.DashboardFilter{EstateID: a, Now: now, Loc: sh})
		if err != nil {
			t.Fatal(err)
		}
		if first := d.SLA[0]; !first.Week.Equal(from) {
			t.Fatalf("first SLA week: got %s, want %s", first.Week, from)
		}
		total := map[models.Urgency]store.SLAWeek{}
		for _, w := range d.SLA {
			sum := total[w.Urgency]
			sum.Due, sum.Met = sum.Due+w.Due, sum.Met+w.Met
			total[w.Urgency] = sum
		}
		for _, tt := range []struct {
			u        models.Urgency
			due, met int64
		}{
			{models.UrgencyCritical, 1, 0},
			{models.UrgencyUrgent, 1, 1},
			{models.UrgencyNormal, 0, 0},
		} {
			if got := total[tt.u]; got.Due != tt.due || got.Met != tt.met {
				t.Errorf("%s over every week: got due %d met %d, want due %d met %d", tt.u, got.Due, got.Met, tt.due, tt.met)
			}
			if got, _ := slaOf(d.SLA, from, tt.u); got.Due != tt.due || got.Met != tt.met {
				t.Errorf("%s in the first week: got due %d met %d, want due %d met %d", tt.u, got.Due, got.Met, tt.due, tt.met)
			}
		}
	})
}
