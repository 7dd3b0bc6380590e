package store

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// slaFromSummary is the slaTally of Dashboard, read from the SLA summary
// (sla_summary.go). For the estates kept in the dashboard's time zone,
// every week (this one included) and today's breaches come from their day
// counts, a few rows per estate and day, less the deadlines not done that
// are not due yet: those of later days from the day counts too, today's
// from the deadline rows between now and midnight (slaFromDays). Estates
// in another zone are tallied from their deadline rows (slaDetail). The
// tickets listed behind today's breaches are the latest breached first,
// read back from now off the due-time index until dashboardListMax are
// found. One case differs from the recount by design: the recount skips
// tickets closed before the window, so a deadline met early and due more
// than twelve weeks after its ticket closed counts here and not there.
func (s *Store) slaFromSummary(ctx context.Context, scope Scope, estateID uint64, w slaWindow, tally []SLAWeek) (int64, []uint64, error) {
	var estates []models.Estate
	err := match(scope.where(s.reader(ctx).Model(&models.Estate{}), "id"), "id", estateID).
		Select("id, time_zone").Order("id").Find(&estates).Error
	if err != nil {
		return 0, nil, translate(err)
	}
	var same, other []uint64
	for _, e := range estates {
		if zoneOf(e.TimeZone).String() == w.loc.String() {
			same = append(same, e.ID)
		} else {
			other = append(other, e.ID)
		}
	}
	// in narrows q to ids: the estates of the dashboard when they are all
	// of ids (no long list of ids then).
	in := func(q *gorm.DB, ids []uint64) *gorm.DB {
		if len(ids) == len(estates) {
			return match(scope.where(q, "estate_id"), "estate_id", estateID)
		}
		return q.Where("estate_id IN ?", ids)
	}
	urgencies := models.Urgencies()
	add := func(week int, u models.Urgency, due, met int64) {
		i := slices.Index(urgencies, u)
		if i < 0 || week < 0 || week > DashboardWeeks {
			return
		}
		tally[week*len(urgencies)+i].Due += due
		tally[week*len(urgencies)+i].Met += met
	}
	db := s.reader(ctx)
	var breaches int64
	ahead := len(other) > 0 // missed deadlines due after now may be there
	if len(same) > 0 {
		// The deadlines by estate always (idx_sla_deadline_tally leads
		// with it), even when they are every estate of the dashboard.
		n, late, err := s.slaFromDays(in(db.Model(&models.SLADay{}), same), db.Model(&models.SLADeadline{}).Where("estate_id IN ?", same), w, add)
		if err != nil {
			return 0, nil, err
		}
		breaches += n
		ahead = ahead || late > 0
	}
	if len(other) > 0 {
		if err := s.slaDetail(in(db.Model(&models.SLADeadline{}), other), w, w.weeks[0], add); err != nil {
			return 0, nil, err
		}
		var n int64
		if err := missedToday(in(db.Model(&models.SLADeadline{}), other), w).Count(&n).Error; err != nil {
			return 0, nil, translate(err)
		}
		breaches += n
	}
	// Read back from now, unless a deadline due after now was done late
	// (done before it was due, on a clock behind the one that wrote it, or
	// a dashboard drawn as of an earlier time): the rows ahead of now are
	// the pending ones, as many as the open tickets' deadlines.
	ids, err := latestFirst(func() *gorm.DB {
		q := missedToday(queryIn[models.SLADeadline](s, ctx, scope, estateID), w)
		if !ahead {
			q = q.Where("due_at <= ?", w.now.UTC())
		}
		return q
	}, "due_at", "ticket_id")
	return breaches, ids, err
}

// missedToday narrows q (deadline rows) to those missed since midnight: done
// late, or due by now and not done.
func missedToday(q *gorm.DB, w slaWindow) *gorm.DB {
	return q.Where("due_at >= ? AND (outcome = ? OR (outcome = ? AND due_at <= ?))",
		w.midnight.UTC(), models.SLALate, models.SLAOpen, w.now.UTC())
}

// slaFromDays tallies the weeks of the window from the day counts of days
// into add, and returns today's breaches and how many deadlines due after
// now were done late. A day's counts hold every deadline due that day, met,
// late or not done; those not done and due after now do not count yet, so
// they are taken back out: every one of a day after today, from its count,
// and today's, read from deadlines (a span of today's due times, at most
// the rest of today's deadlines). What is left from today on, less those
// met, is the breaches since midnight.
func (s *Store) slaFromDays(days, deadlines *gorm.DB, w slaWindow, add func(week int, u models.Urgency, due, met int64)) (breaches, lateAhead int64, err error) {
	var counts []struct {
		Day            string
		Urgency        models.Urgency
		Due, Met, Open int64
	}
	err = days.Select("day, urgency, SUM(due) AS due, SUM(met) AS met, SUM(open) AS open").
		Where("day >= ?", w.weeks[0].Format(time.DateOnly)).Group("day, urgency").Scan(&counts).Error
	if err != nil {
		return 0, 0, translate(err)
	}
	today := w.midnight.Format(time.DateOnly)
	for _, d := range counts {
		t, err := time.ParseInLocation(time.DateOnly, d.Day, w.loc)
		if err != nil {
			return 0, 0, err
		}
		due := d.Due
		if d.Day > today {
			due -= d.Open
			lateAhead += due - d.Met
		}
		add(w.week(t), d.Urgency, due, d.Met)
		if d.Day >= today {
			breaches += due - d.Met
		}
	}
	// Read in the order of idx_sla_deadline_tally, a span of due times per
	// estate, outcome and urgency, counted with no sort (grouped by urgency
	// and outcome alone, SQLite sorts every row of the spans).
	var rest []struct {
		Urgency models.Urgency
		Outcome models.SLAOutcome
		N       int64
	}
	err = deadlines.Select("estate_id, outcome, urgency, COUNT(*) AS n").
		Where("outcome IN ? AND urgency IN ? AND due_at > ? AND due_at < ?",
			[]models.SLAOutcome{models.SLAOpen, models.SLALate}, models.Urgencies(), w.now.UTC(), w.midnight.AddDate(0, 0, 1).UTC()).
		Group("estate_id, outcome, urgency").Scan(&rest).Error
	if err != nil {
		return 0, 0, translate(err)
	}
	for _, r := range rest {
		switch r.Outcome {
		case models.SLAOpen:
			add(DashboardWeeks, r.Urgency, -r.N, 0)
			breaches -= r.N
		case models.SLALate:
			lateAhead += r.N
		}
	}
	return breaches, lateAhead, nil
}

// latestFirst lists the first dashboardListMax distinct values of column
// id in the rows of q, the latest first by column key (ties by id, highest
// first). The rows are read in key order off an index, enough of them each
// time and never all: a page, then as many rows at the page's last key,
// highest id first (an index of key then id gives them in that order), so
// that the rows read are the first of the whole order, ties and all, to be
// ordered in Go. Ordering by key and id over the span in SQL would sort
// every row of it; reading every row at the last key read 4,000 at a
// burst's instant.
func latestFirst(q func() *gorm.DB, key, id string) ([]uint64, error) {
	type row struct {
		K  time.Time
		ID uint64
	}
	read := func(q *gorm.DB) ([]row, error) {
		var rows []row
		err := q.Select(key + " AS k, " + id + " AS id").Scan(&rows).Error
		return rows, translate(err)
	}
	for limit := 2 * dashboardListMax; ; limit *= 4 {
		rows, err := read(q().Order(key + " DESC").Limit(limit))
		if err != nil {
			return nil, err
		}
		full := len(rows) == limit
		if full {
			// The rows at the page's last key, highest id first, up to
			// the page's size: the others of the page come before them.
			// (An equality, not "from it on", which the planner reads as
			// a second lower bound and ignores.) Fewer distinct ids than
			// the list needs, and the next round reads more of both.
			last := rows[len(rows)-1].K
			tied, err := read(q().Where(key+" = ?", last).Order(id + " DESC").Limit(limit))
			if err != nil {
				return nil, err
			}
			rows = append(slices.DeleteFunc(rows, func(r row) bool { return r.K.Equal(last) }), tied...)
		}
		slices.SortFunc(rows, func(a, b row) int { return cmp.Or(b.K.Compare(a.K), cmp.Compare(b.ID, a.ID)) })
		ids := []uint64{}
		for _, r := range rows {
			if !slices.Contains(ids, r.ID) {
				ids = append(ids, r.ID)
			}
			if len(ids) == dashboardListMax {
				return ids, nil
			}
		}
		if !full {
			return ids, nil
		}
	}
}

// slaDetail tallies the deadline rows of q due from from to the end of the
// window, week by week (a CASE over the weeks' bounds), into add.
func (s *Store) slaDetail(q *gorm.DB, w slaWindow, from time.Time, add func(week int, u models.Urgency, due, met int64)) error {
	week := "CASE"
	var args []any
	for i := 1; i <= DashboardWeeks; i++ {
		week += " WHEN due_at < ? THEN " + strconv.Itoa(i-1)
		args = append(args, w.weeks[i].UTC())
	}
	week += " ELSE " + strconv.Itoa(DashboardWeeks) + " END"
	var rows []struct {
		Urgency models.Urgency
		Outcome models.SLAOutcome
		Wk      int
		N       int64
	}
	err := q.Select("urgency, outcome, "+week+" AS wk, COUNT(*) AS n", args...).
		Where("due_at >= ? AND due_at < ? AND (outcome IN ? OR (outcome = ? AND due_at <= ?))",
			from.UTC(), w.weeks[DashboardWeeks+1].UTC(), []models.SLAOutcome{models.SLAMet, models.SLALate}, models.SLAOpen, w.now.UTC()).
		Group("urgency, outcome, wk").Scan(&rows).Error
	if err != nil {
		return translate(err)
	}
	for _, r := range rows {
		var met int64
		if r.Outcome == models.SLAMet {
			met = r.N
		}
		add(r.Wk, r.Urgency, r.N, met)
	}
	return nil
}
