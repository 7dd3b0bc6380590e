package store

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// DashboardWeeks is how many whole weeks before this one the SLA history
// covers.
const DashboardWeeks = 12

// dashboardListMax bounds the tickets listed behind a "today" number.
const dashboardListMax = 100

// DashboardFilter selects the tickets a dashboard counts. Loc decides where
// "today" and each week (Monday 00:00) begin; Now is the store's clock when
// zero.
type DashboardFilter struct {
	EstateID uint64
	Now      time.Time
	Loc      *time.Location
}

// dashboardClock returns the time and zone a dashboard is drawn at: f's, or
// the store's clock and UTC where f leaves them out.
func (s *Store) dashboardClock(f DashboardFilter) (time.Time, *time.Location) {
	if f.Loc == nil {
		return s.nowOr(f.Now), time.UTC
	}
	return s.nowOr(f.Now), f.Loc
}

// OpenCount is the number of open tickets in one status and urgency.
type OpenCount struct {
	Status  models.TicketStatus `json:"status"`
	Urgency models.Urgency      `json:"urgency"`
	Count   int64               `json:"count"`
}

// SLAWeek is, for one urgency tier and one week, how many deadlines fell
// due (or were met) in it and how many of those were met in time. Deadlines
// still pending and not yet due are not counted.
type SLAWeek struct {
	Week    time.Time      `json:"week"` // Monday 00:00 in the dashboard's zone
	Urgency models.Urgency `json:"urgency"`
	Due     int64          `json:"due"`
	Met     int64          `json:"met"`
}

// Dashboard is the managers' view of the ticket read model.
type Dashboard struct {
	Open []OpenCount `json:"open"`
	// OpenTotal counts open tickets; Breached those whose nearest pending
	// deadline has passed; AtRisk those warned of it and not yet past it.
	OpenTotal int64 `json:"open_total"`
	Breached  int64 `json:"breached"`
	AtRisk    int64 `json:"at_risk"`
	// SLA is DashboardWeeks+1 weeks per urgency tier, oldest first; the
	// last week is this one.
	SLA []SLAWeek `json:"sla"`
	// BreachesToday counts deadlines due since midnight that were missed;
	// EscalationsToday the escalations recorded since midnight.
	BreachesToday    int64 `json:"breaches_today"`
	EscalationsToday int64 `json:"escalations_today"`
	// The tickets behind the two numbers above (at most 100 each), the
	// latest breached or escalated first.
	BreachedTodayTickets  []models.Ticket `json:"breached_today_tickets"`
	EscalatedTodayTickets []models.Ticket `json:"escalated_today_tickets"`
	Since                 time.Time       `json:"since"` // midnight today
	AsOf                  time.Time       `json:"as_of"`
}

// Dashboard counts the tickets inside scope: open tickets by status and
// urgency, breached and at-risk tickets (one SQL aggregate), the deadlines
// met per urgency and week over the last weeks, and today's breaches and
// escalations. The deadlines come from the SLA summary the store keeps as it
// records progress (sla_summary.go); RecountDashboard gives the same figures
// from the tickets themselves.
func (s *Store) Dashboard(ctx context.Context, scope Scope, f DashboardFilter) (Dashboard, error) {
	return s.dashboard(ctx, scope, f, dashboardReads{sla: s.slaFromSummary, open: openFromTotals})
}

// RecountDashboard is Dashboard counted the slow way, from every ticket's
// deadlines: the oracle the summary is held to. The per-deadline tally reads
// the deadlines column in Go, since SQLite and MySQL share no JSON table
// function: it streams only the tickets open or closed inside the window
// (idx_ticket_closed), without GORM's per-row reflection (eachSLARow).
func (s *Store) RecountDashboard(ctx context.Context, scope Scope, f DashboardFilter) (Dashboard, error) {
	return s.dashboard(ctx, scope, f, dashboardReads{sla: s.slaRecount, open: recountOpen})
}

// slaWindow is the span an SLA tally covers: weeks[w] is the Monday 00:00
// (in loc) starting week w, weeks[DashboardWeeks+1] ends the window.
type slaWindow struct {
	now, midnight time.Time
	loc           *time.Location
	weeks         []time.Time
}

// week is the index of the week holding t, or -1 outside the window.
func (w slaWindow) week(t time.Time) int {
	i, found := slices.BinarySearchFunc(w.weeks, t, func(week, due time.Time) int { return week.Compare(due) })
	if !found {
		i--
	}
	if i < 0 || i > DashboardWeeks {
		return -1
	}
	return i
}

// slaTally counts the deadlines of the tickets inside scope (and estate
// estateID unless 0) into tally (DashboardWeeks+1 weeks of every urgency,
// week by week) and returns how many were missed today and the tickets
// behind them, by id.
type slaTally func(ctx context.Context, scope Scope, estateID uint64, w slaWindow, tally []SLAWeek) (int64, []uint64, error)

// dashboardReads are the two ways the dashboard reads its counts: from the
// summary rows (Dashboard) or from the tickets themselves (RecountDashboard).
type dashboardReads struct {
	sla  slaTally
	open openCounts
}

// dashboard draws the dashboard with its counts read by r.
func (s *Store) dashboard(ctx context.Context, scope Scope, f DashboardFilter, r dashboardReads) (Dashboard, error) {
	now, loc := s.dashboardClock(f)
	local := now.In(loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	thisWeek := midnight.AddDate(0, 0, -((int(midnight.Weekday()) + 6) % 7))
	from := thisWeek.AddDate(0, 0, -7*DashboardWeeks)
	out := Dashboard{Open: []OpenCount{}, Since: midnight.UTC(), AsOf: now.UTC()}
	utc := now.UTC()

	// Listing the estates lets the company view read idx_ticket_open, which
	// leads with the estate, rather than walk the status index row by row.
	estates, err := s.estateList(ctx, scope, f.EstateID)
	if err != nil {
		return out, fmt.Errorf("dashboard: %w", err)
	}
	// Three independent parts, read at once on the store's readers (the
	// SQLite read pool, MySQL's pool): the open tickets, today's
	// escalations, the deadlines. Each writes its own fields of out.
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.dashboardOpen(ctx, scope, f, estates, r, utc, &out) })
	g.Go(func() error { return s.dashboardEscalations(ctx, scope, f, midnight, &out) })
	g.Go(func() error { return s.dashboardSLA(ctx, scope, f, r, slaWindowAt(now, midnight, from, loc), &out) })
	return out, g.Wait()
}

// dashboardOpen counts the open tickets per status and urgency (r.open),
// then those past their nearest deadline and those warned of it, as the
// list's breached and at-risk filters count them: a closed ticket has no
// next due time. Each is a span of an index leading with the estate and
// the next due time, with nothing evaluated per row (a CASE per row over
// the due times made SQLite convert every row's time).
func (s *Store) dashboardOpen(ctx context.Context, scope Scope, f DashboardFilter, estates func(*gorm.DB) *gorm.DB, r dashboardReads, utc time.Time, out *Dashboard) error {
	tickets := func() *gorm.DB { return estates(queryIn[models.Ticket](s, ctx, scope, f.EstateID)) }
	totals := func() *gorm.DB { return estates(queryIn[models.TicketStatusTotal](s, ctx, scope, f.EstateID)) }
	var err error
	if out.Open, err = r.open(tickets, totals); err != nil {
		return fmt.Errorf("dashboard: open tickets: %w", err)
	}
	for _, o := range out.Open {
		out.OpenTotal += o.Count
	}
	if err := tickets().Where(breachedAt, utc).Count(&out.Breached).Error; err != nil {
		return fmt.Errorf("dashboard: breached tickets: %w", translate(err))
	}
	if err := tickets().Where(atRiskAt, utc, utc).Count(&out.AtRisk).Error; err != nil {
		return fmt.Errorf("dashboard: tickets at risk: %w", translate(err))
	}
	return nil
}

// dashboardEscalations counts the escalations recorded since midnight and
// reads the tickets behind them, the latest first.
func (s *Store) dashboardEscalations(ctx context.Context, scope Scope, f DashboardFilter, midnight time.Time, out *Dashboard) error {
	escalations := func() *gorm.DB {
		return queryIn[models.CaseEvent](s, ctx, scope, f.EstateID).
			Where("kind = ? AND type = ? AND at >= ?", models.KindTicket, "escalation", midnight.UTC())
	}
	if err := escalations().Count(&out.EscalationsToday).Error; err != nil {
		return fmt.Errorf("dashboard: escalations today: %w", translate(err))
	}
	escalated, err := latestFirst(escalations, "at", "case_id")
	if err != nil {
		return fmt.Errorf("dashboard: escalated tickets: %w", err)
	}
	out.EscalatedTodayTickets, err = s.ticketsByID(ctx, escalated)
	return err
}

// slaWindowAt is the window of the SLA tally drawn at now: the weeks from
// from, each Monday 00:00 in loc.
func slaWindowAt(now, midnight, from time.Time, loc *time.Location) slaWindow {
	w := slaWindow{now: now, midnight: midnight, loc: loc, weeks: make([]time.Time, DashboardWeeks+2)}
	for i := range w.weeks {
		w.weeks[i] = from.AddDate(0, 0, 7*i)
	}
	return w
}

// dashboardSLA tallies the deadlines met per urgency and week (r.sla) and
// today's breaches, and reads the tickets behind them.
func (s *Store) dashboardSLA(ctx context.Context, scope Scope, f DashboardFilter, r dashboardReads, w slaWindow, out *Dashboard) error {
	urgencies := models.Urgencies()
	tally := make([]SLAWeek, 0, (DashboardWeeks+1)*len(urgencies))
	for _, week := range w.weeks[:DashboardWeeks+1] {
		for _, u := range urgencies {
			tally = append(tally, SLAWeek{Week: week.UTC(), Urgency: u})
		}
	}
	breaches, breachedToday, err := r.sla(ctx, scope, f.EstateID, w, tally)
	if err != nil {
		return fmt.Errorf("dashboard: deadlines: %w", err)
	}
	out.BreachesToday, out.SLA = breaches, tally
	out.BreachedTodayTickets, err = s.ticketsByID(ctx, breachedToday)
	return err
}

// estateList narrows a query of every estate (estateID 0 in the scope of
// every estate) to the estates by id: a few ids, which let the planner use
// the indexes that lead with estate_id (on SQLite a query without it
// prefers a one-column index and reads every row it matches). Any other
// query is left as it is.
func (s *Store) estateList(ctx context.Context, scope Scope, estateID uint64) (func(*gorm.DB) *gorm.DB, error) {
	if estateID != 0 || !scope.All() {
		return func(q *gorm.DB) *gorm.DB { return q }, nil
	}
	var ids []uint64
	if err := s.reader(ctx).Model(&models.Estate{}).Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("estates: %w", translate(err))
	}
	return func(q *gorm.DB) *gorm.DB { return q.Where("estate_id IN ?", ids) }, nil
}

// slaRecount is the slaTally of RecountDashboard: every deadline of the
// tickets open or closed inside the window, read from their rows.
func (s *Store) slaRecount(ctx context.Context, scope Scope, estateID uint64, w slaWindow, tally []SLAWeek) (int64, []uint64, error) {
	urgencies := models.Urgencies()
	var breaches int64
	latest := map[uint64]time.Time{} // the tickets missed today, by their latest missed deadline
	q := queryIn[models.Ticket](s, ctx, scope, estateID).Where("closed_at IS NULL OR closed_at >= ?", w.weeks[0].UTC())
	err := eachSLARow(q, func(r slaRow) {
		u := slices.Index(urgencies, r.Urgency)
		for _, d := range r.Deadlines {
			met, counted := deadlineOutcome(d, r, w.now)
			if !counted {
				continue
			}
			if !met && !d.Due.Before(w.midnight) {
				breaches++
				if d.Due.After(latest[r.ID]) {
					latest[r.ID] = d.Due
				}
			}
			// The week whose [Monday, next Monday) holds the deadline.
			i := w.week(d.Due)
			if u < 0 || i < 0 {
				continue
			}
			sw := &tally[i*len(urgencies)+u]
			sw.Due++
			if met {
				sw.Met++
			}
		}
	})
	if err != nil {
		return 0, nil, translate(err)
	}
	ids := slices.Collect(maps.Keys(latest))
	slices.SortFunc(ids, func(a, b uint64) int { return cmp.Or(latest[b].Compare(latest[a]), cmp.Compare(b, a)) })
	return breaches, ids[:min(len(ids), dashboardListMax)], nil
}

// deadlineOutcome says whether d counts yet (met, or due by now and, for a
// finished ticket, due before it finished) and whether it was met in time.
func deadlineOutcome(d models.TicketDeadline, r slaRow, now time.Time) (met, counted bool) {
	if d.DoneAt != nil {
		return !d.DoneAt.After(d.Due), true
	}
	if d.Due.After(now) {
		return false, false
	}
	if r.Status.Terminal() && (r.ClosedAt == nil || !r.ClosedAt.After(d.Due)) {
		return false, false // finished before the deadline came: nothing was owed
	}
	return false, true
}

// ticketsByID reads up to dashboardListMax tickets by id, in the order of
// ids.
func (s *Store) ticketsByID(ctx context.Context, ids []uint64) ([]models.Ticket, error) {
	out := []models.Ticket{}
	if len(ids) == 0 {
		return out, nil
	}
	ids = ids[:min(len(ids), dashboardListMax)]
	if err := s.reader(ctx).Where("id IN ?", ids).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("dashboard: tickets: %w", translate(err))
	}
	slices.SortFunc(out, func(a, b models.Ticket) int { return cmp.Compare(slices.Index(ids, a.ID), slices.Index(ids, b.ID)) })
	return out, nil
}

// MonthCollection is the collection rate (收缴率) of one billing period:
// the principal of the period's bills and how much of it the payments made
// up to today have settled, under each estate's allocation rule
// (models.Statement). Late fees count on neither side. The rate (收缴率)
// is over the bills already due (models.CountsForCollection): DueBills,
// DueFen and DuePaidFen; a period whose bills are not yet due has none.
type MonthCollection struct {
	Period     string       `json:"period"` // YYYY-MM
	Bills      int64        `json:"bills"`
	BilledFen  models.Money `json:"billed_fen"`
	PaidFen    models.Money `json:"paid_fen"`
	DueBills   int64        `json:"due_bills"`
	DueFen     models.Money `json:"due_fen"`
	DuePaidFen models.Money `json:"due_paid_fen"`
}

// collectionMonths are the figures, still zero, of last month's and this
// month's billing periods (in f.Loc), their periods, and today.
func (s *Store) collectionMonths(f DashboardFilter) ([]MonthCollection, []string, models.Date) {
	now, loc := s.dashboardClock(f)
	local := now.In(loc)
	this := models.Month{Year: local.Year(), Month: local.Month()}
	prevT := time.Date(local.Year(), local.Month()-1, 1, 0, 0, 0, 0, time.UTC)
	prev := models.Month{Year: prevT.Year(), Month: prevT.Month()}
	return []MonthCollection{{Period: prev.String()}, {Period: this.String()}}, []string{prev.String(), this.String()}, models.DateOf(now, loc)
}

// RecountCollectionRates is CollectionRates counted from the ledgers
// themselves: the collection of this month's and last month's billing
// periods (in f.Loc), oldest first. It reads the whole ledger of
// every household billed in either period, since what settled a bill
// depends on the household's older bills and every payment: the payments
// first, then the bills streamed in household order, only the columns
// Statement reads.
func (s *Store) RecountCollectionRates(ctx context.Context, scope Scope, f DashboardFilter) ([]MonthCollection, error) {
	out, periods, today := s.collectionMonths(f)
	err := s.settleBilled(ctx, scope, f.EstateID, when(true, "period IN ?", periods), today, func(line models.AccountLine) {
		for i := range out {
			if line.Period.String() != out[i].Period {
				continue
			}
			out[i].Bills++
			out[i].BilledFen += line.Principal
			out[i].PaidFen += line.PrincipalPaid
			if models.CountsForCollection(line.Due, today) {
				out[i].DueBills++
				out[i].DueFen += line.Principal
				out[i].DuePaidFen += line.PrincipalPaid
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("collection rates: %w", err)
	}
	return out, nil
}

// collectionSpan is the first and last period of any of cs.
func collectionSpan(cs []models.Collection) (from, to models.Month) {
	from, to = cs[0].From, cs[0].To
	for _, c := range cs[1:] {
		if c.From.String() < from.String() {
			from = c.From
		}
		if c.To.String() > to.String() {
			to = c.To
		}
	}
	return from, to
}

// RecountCollections is Collections counted from the ledgers themselves:
// into each of cs (models.Collection: its span of periods) the bills of
// estate estateID inside scope (every estate of scope when 0), as of today.
func (s *Store) RecountCollections(ctx context.Context, scope Scope, estateID uint64, today models.Date, cs []models.Collection) ([]models.Collection, error) {
	if len(cs) == 0 {
		return cs, nil
	}
	from, to := collectionSpan(cs)
	err := s.settleBilled(ctx, scope, estateID, when(true, "period BETWEEN ? AND ?", from.String(), to.String()), today, func(line models.AccountLine) {
		for i := range cs {
			cs[i].Add(line)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("collections of estate %d: %w", estateID, err)
	}
	return cs, nil
}

// settleBilled hands add every line of the statement, as of today, of each
// household inside scope (and estate estateID unless 0) with a bill that
// billed keeps. It reads the whole ledger of those households, since what
// settled a bill depends on the household's older bills and every payment:
// the payments first, then the bills streamed in household order, only the
// columns Statement reads.
func (s *Store) settleBilled(ctx context.Context, scope Scope, estateID uint64, billed cond, today models.Date, add func(models.AccountLine)) error {
	households := billed(queryIn[models.HouseholdBill](s, ctx, scope, estateID)).Distinct("household_id")
	return settleLedgers(s.reader(ctx), households, today, func(_ models.HouseholdBill, line models.AccountLine) { add(line) })
}

// settleLedgers hands add every line of the statement, as of today, of each
// household of households (a subquery of household_id or a list of ids),
// with the household's first bill (its household and estate). It reads the
// whole ledger of those households: the payments first, then the bills
// streamed in household order, only the columns Statement reads.
func settleLedgers(db *gorm.DB, households any, today models.Date, add func(models.HouseholdBill, models.AccountLine)) error {
	// Every estate's fee policy, read first: SQLite's one connection is
	// busy while the bills stream.
	var pols []models.EstatePolicy
	if err := db.Find(&pols).Error; err != nil {
		return fmt.Errorf("policies: %w", translate(err))
	}
	fees := map[uint64]models.FeePolicy{}
	for _, p := range pols {
		fees[p.EstateID] = p.Policy.Fees
	}
	pays, err := ledgerPayments(db, households)
	if err != nil {
		return fmt.Errorf("payments: %w", translate(err))
	}
	// The bills stream in household order; each household's ledger is
	// settled as soon as its last bill is read.
	rows, err := db.Model(&models.HouseholdBill{}).
		Select("household_id, estate_id, id, period, amount_fen, due_on, adjusted_fen, waived_fen, disputed").
		Where("household_id IN (?)", households).Order("household_id, due_on, id").Rows()
	if err != nil {
		return fmt.Errorf("bills: %w", translate(err))
	}
	defer rows.Close()
	var (
		cur     models.HouseholdBill // the household's first bill
		bills   []models.Bill
		payIdx  int
		ledgerP []models.Payment
	)
	settle := func() error {
		if len(bills) == 0 {
			return nil
		}
		fee, ok := fees[cur.EstateID]
		if !ok {
			return fmt.Errorf("policy of estate %d: %w", cur.EstateID, models.ErrNotFound)
		}
		for payIdx < len(pays) && pays[payIdx].household < cur.HouseholdID {
			payIdx++
		}
		ledgerP = ledgerP[:0]
		for ; payIdx < len(pays) && pays[payIdx].household == cur.HouseholdID; payIdx++ {
			ledgerP = append(ledgerP, pays[payIdx].p)
		}
		for _, line := range models.Statement(bills, ledgerP, today, fee).Lines {
			add(cur, line)
		}
		return nil
	}
	for rows.Next() {
		var b models.HouseholdBill
		if err := rows.Scan(&b.HouseholdID, &b.EstateID, &b.ID, &b.Period, &b.AmountFen, &b.DueOn, &b.AdjustedFen, &b.WaivedFen, &b.Disputed); err != nil {
			return fmt.Errorf("bills: %w", translate(err))
		}
		if b.HouseholdID != cur.HouseholdID || len(bills) == 0 {
			if err := settle(); err != nil {
				return err
			}
			cur, bills = b, bills[:0]
		}
		bills = append(bills, b.Arith())
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("bills: %w", translate(err))
	}
	return settle()
}

// ledgerPayment is a payment of a household's ledger.
type ledgerPayment struct {
	household uint64
	p         models.Payment
}

// ledgerPayments reads the payments of the households, in household and
// payment order, only the columns Statement reads.
func ledgerPayments(db *gorm.DB, households any) ([]ledgerPayment, error) {
	rows, err := db.Model(&models.FeePayment{}).Select("household_id, id, amount_fen, reversed_fen, paid_on").
		Where("household_id IN (?)", households).Order("household_id, paid_on, id").Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ledgerPayment
	for rows.Next() {
		var p models.FeePayment
		if err := rows.Scan(&p.HouseholdID, &p.ID, &p.AmountFen, &p.ReversedFen, &p.PaidOn); err != nil {
			return nil, err
		}
		out = append(out, ledgerPayment{household: p.HouseholdID, p: p.Arith()})
	}
	return out, rows.Err()
}

// MonthFollowUps is, for the follow-ups completed in one month, how many
// had their visit made by the end of their window.
type MonthFollowUps struct {
	Month     string `json:"month"` // YYYY-MM
	Completed int64  `json:"completed"`
	OnTime    int64  `json:"on_time"`
}

// followUpRow is the part of a follow-up the on-time tally reads.
type followUpRow struct {
	DueAt    time.Time
	ClosedAt *time.Time
	Visit    *models.FollowUpVisit `gorm:"serializer:json"`
}

// FollowUpsOnTime counts the follow-ups completed last month and this month
// (in f.Loc, by when they were completed), oldest first, and those whose
// visit was made by their due time. The visit is read in Go from its JSON
// column, as the SLA tally does.
func (s *Store) FollowUpsOnTime(ctx context.Context, scope Scope, f DashboardFilter) ([]MonthFollowUps, error) {
	now, loc := s.dashboardClock(f)
	local := now.In(loc)
	thisStart := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, loc)
	prevStart := thisStart.AddDate(0, -1, 0)
	out := []MonthFollowUps{{Month: prevStart.Format("2006-01")}, {Month: thisStart.Format("2006-01")}}
	q := queryIn[models.FollowUp](s, ctx, scope, f.EstateID).
		Where("status = ? AND closed_at >= ?", models.FollowUpCompleted, prevStart.UTC())
	var rows []followUpRow
	if err := q.Select("due_at, closed_at, visit").Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("follow-ups on time: %w", translate(err))
	}
	for _, r := range rows {
		i := 0
		if !r.ClosedAt.Before(thisStart) {
			i = 1
		}
		out[i].Completed++
		if r.Visit != nil && !r.Visit.VisitedAt.After(r.DueAt) {
			out[i].OnTime++
		}
	}
	return out, nil
}
