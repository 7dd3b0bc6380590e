package store

import (
	"context"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// slaFromSummary is the slaTally of Dashboard, read from the SLA summary
// (sla_summary.go). The weeks before today come from the day counts of the
// estates kept in the dashboard's time zone: a few rows per estate and day.
// The rest (today and the days left in this week, where a deadline not yet
// done counts only once due, and every day of an estate in another zone)
// comes from the deadline rows, on their (estate, due time) indexes. One
// case differs from the recount by design: the recount skips tickets closed
// before the window, so a deadline met early and due more than twelve weeks
// after its ticket closed counts here and not there.
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
	if len(same) > 0 {
		var days []struct {
			Day      string
			Urgency  models.Urgency
			Due, Met int64
		}
		err := in(db.Model(&models.SLADay{}), same).Select("day, urgency, SUM(due) AS due, SUM(met) AS met").
			Where("day >= ? AND day < ?", w.weeks[0].Format(time.DateOnly), w.midnight.Format(time.DateOnly)).
			Group("day, urgency").Scan(&days).Error
		if err != nil {
			return 0, nil, translate(err)
		}
		for _, d := range days {
			t, err := time.ParseInLocation(time.DateOnly, d.Day, w.loc)
			if err != nil {
				return 0, nil, err
			}
			add(w.week(t), d.Urgency, d.Due, d.Met)
		}
		if err := s.slaDetail(in(db.Model(&models.SLADeadline{}), same), w, w.midnight, add); err != nil {
			return 0, nil, err
		}
	}
	if len(other) > 0 {
		if err := s.slaDetail(in(db.Model(&models.SLADeadline{}), other), w, w.weeks[0], add); err != nil {
			return 0, nil, err
		}
	}

	missed := func() *gorm.DB {
		return queryIn[models.SLADeadline](s, ctx, scope, estateID).
			Where("due_at >= ? AND (outcome = ? OR (outcome = ? AND due_at <= ?))",
				w.midnight.UTC(), models.SLALate, models.SLAOpen, w.now.UTC())
	}
	// One deadline a row, a span of today's (and the rest of the week's)
	// due times: ordered in Go, where SQL would rather walk every row in
	// ticket order.
	var ids []uint64
	if err := missed().Pluck("ticket_id", &ids).Error; err != nil {
		return 0, nil, translate(err)
	}
	breaches := int64(len(ids))
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return breaches, ids[:min(len(ids), dashboardListMax)], nil
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
