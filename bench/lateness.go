package main

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/bench/svc"
	"github.com/wuye/wuye/models"
)

// The lateness phases measure escalations against their deadlines: (a)
// runSpread, n open tickets whose deadlines fall evenly across a window,
// (b) runBurst, n tickets whose deadlines fall at one instant. Every ticket
// is a normal repair with an appointment, which sets both its contact and
// on-site deadline at that moment: under one ladder per ticket it answers
// with one level-1 escalation (type "escalation"), and the other breach at
// the same level is recorded as a "breach" event without notice.

// leadFor is how far ahead n tickets (or bare workflows) created at
// createRate a second are put: their creation done well before the first
// deadline.
func leadFor(n int, createRate float64) time.Duration {
	if createRate < 1 {
		createRate = 1
	}
	return time.Duration(float64(n)/createRate*1.5*float64(time.Second)) + 10*time.Second
}

// runSpread creates c.spread tickets due evenly across c.spreadWindow,
// calls created (if not nil) once they are all created and before the first
// deadline (they stay open: the windows are an hour), and collects their
// escalations.
func runSpread(ctx context.Context, c config, tg target, createRate float64, created func(ctx context.Context)) (*Lateness, error) {
	s, db, err := tg.db.open(ctx)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	// Each ticket is warned just before its deadline (at 99 % of its
	// window, a few seconds ahead), as in steady use, where the warnings of
	// the tickets coming due run at the deadlines' own rate: the window
	// carries both, and the creation only each ticket's first task.
	e, err := svc.SetupEstate(ctx, tg.base, fmt.Sprintf("SPR%d", time.Now().Unix()%100000), func(p *models.Policy) {
		svc.SecondScale(time.Hour)(p)
		p.Repair.WarnAtPercent = 99
	})
	if err != nil {
		return nil, err
	}
	// The create rate the lead is reckoned from is measured here, on a few
	// tickets of the same estate due the next day (outside the window),
	// rather than taken from the load phase, which offers a fixed rate.
	k := max(20, min(300, c.spread/20))
	calStart := time.Now()
	calibrated := createAll(ctx, e, k, func(int) time.Time { return calStart.Add(24 * time.Hour) })
	if r := float64(calibrated) / time.Since(calStart).Seconds(); calibrated > 0 && r > 0 {
		createRate = r
	}
	began := time.Now()
	lead := spreadLead(c.spread, createRate)
	t0 := began.Add(lead)
	step := c.spreadWindow / time.Duration(c.spread)
	n := createAll(ctx, e, c.spread, func(i int) time.Time { return t0.Add(time.Duration(i) * step) })
	createS := time.Since(began).Seconds()
	if created != nil {
		created(ctx)
	}
	settledAt, settled, err := settle(ctx, db, e.ID, n+calibrated, t0)
	if err != nil {
		return nil, err
	}
	l, err := collect(ctx, db, e.ID, n, t0.Add(c.spreadWindow), false)
	if err != nil {
		return nil, err
	}
	l.CreateS, l.LeadS, l.Settled = createS, lead.Seconds(), settled
	if settled {
		l.SettledS = settledAt.Sub(began).Seconds()
	}
	l.WindowS = c.spreadWindow.Seconds()
	l.Driver = tg.db.driver
	return l, nil
}

// spreadLead puts the spread's first deadline further ahead than a
// burst's, by a minute: the engine must also have done the tickets'
// creation work (each ticket's first task and its two warnings) before the
// window, so that the window measures deadlines, not the creation's
// backlog; settle says whether it had.
func spreadLead(n int, createRate float64) time.Duration {
	return leadFor(n, createRate) + time.Minute
}

// settle waits until want "reported" events of the estate's tickets are
// recorded (their first task, the creation's work, done), at most until
// deadline; it returns when, and false when the deadline came first.
func settle(ctx context.Context, db *gorm.DB, estateID uint64, want int, deadline time.Time) (time.Time, bool, error) {
	for {
		var n int64
		err := db.WithContext(ctx).Model(&models.CaseEvent{}).
			Where("kind = ? AND estate_id = ? AND type = ?", models.KindTicket, estateID, "reported").Count(&n).Error
		if err != nil {
			return time.Time{}, false, err
		}
		now := time.Now()
		if n >= int64(want) {
			return now, true, nil
		}
		if now.After(deadline) {
			return time.Time{}, false, nil
		}
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
			return time.Time{}, false, ctx.Err()
		}
	}
}

// runBurst creates c.burst tickets all due at one instant and collects
// their escalations.
func runBurst(ctx context.Context, c config, tg target, createRate float64) (*Lateness, error) {
	s, db, err := tg.db.open(ctx)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	e, err := svc.SetupEstate(ctx, tg.base, fmt.Sprintf("BUR%d", time.Now().Unix()%100000), svc.SecondScale(time.Hour))
	if err != nil {
		return nil, err
	}
	t1 := time.Now().Add(leadFor(c.burst, createRate))
	n := createAll(ctx, e, c.burst, func(int) time.Time { return t1 })
	l, err := collect(ctx, db, e.ID, n, t1, true)
	if err != nil {
		return nil, err
	}
	l.Driver = tg.db.driver
	return l, nil
}

// createAll creates n appointed repairs as fast as 16 clients can and
// returns how many were created.
func createAll(ctx context.Context, e *svc.Estate, n int, at func(i int) time.Time) int {
	desk := fastClient(e.Clients[models.RoleCustomerService])
	var ok atomic.Int32
	each(ctx, n, 16, func(i int) {
		r, err := desk.Do(ctx, http.MethodPost, "/api/v1/tickets", "", svc.AppointedRepair(e.ID, at(i)))
		if err == nil && r.Status == http.StatusCreated {
			ok.Add(1)
		}
	})
	return int(ok.Load())
}

// collect waits for one escalation per created ticket (or five minutes
// past the last deadline) and summarises event time minus deadline: each
// ticket's first level-1 escalation against its appointment. Missing are
// the tickets without one.
func collect(ctx context.Context, db *gorm.DB, estateID uint64, created int, last time.Time, isBurst bool) (*Lateness, error) {
	want := created
	limit := last.Add(5 * time.Minute)
	if w := time.Until(last); w > 0 {
		select {
		case <-time.After(w):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	var evs []models.CaseEvent
	for {
		var err error
		if evs, err = escalationEvents(ctx, db, estateID); err != nil {
			return nil, err
		}
		evs = firstPerTicket(evs)
		if len(evs) >= want || time.Now().After(limit) {
			break
		}
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	// The event's "due" is whole seconds; the appointment is exact.
	var tickets []models.Ticket
	if err := db.WithContext(ctx).Select("id", "appointment").Where("estate_id = ?", estateID).Find(&tickets).Error; err != nil {
		return nil, err
	}
	dueOf := map[uint64]time.Time{}
	for _, t := range tickets {
		if t.Appointment != nil {
			dueOf[t.ID] = *t.Appointment
		}
	}
	l := &Lateness{Tickets: created, Escalations: len(evs), Missing: max(want-len(evs), 0)}
	lats := make([]time.Duration, 0, len(evs))
	var lastAt time.Time
	for _, e := range evs {
		due, ok := dueOf[e.CaseID]
		if !ok {
			continue
		}
		lats = append(lats, e.At.Sub(due))
		if e.At.After(lastAt) {
			lastAt = e.At
		}
	}
	l.P50ms, l.P99ms, l.MaxMs = percentiles(lats)
	if isBurst && len(evs) > 0 {
		l.DrainS = lastAt.Sub(last).Seconds()
		if l.DrainS > 0 {
			l.DrainRate = float64(len(evs)) / l.DrainS
		}
	}
	return l, nil
}

// firstPerTicket keeps each ticket's first escalation (by time, then id),
// ordered by ticket.
func firstPerTicket(evs []models.CaseEvent) []models.CaseEvent {
	first := map[uint64]models.CaseEvent{}
	for _, e := range evs {
		f, ok := first[e.CaseID]
		if !ok || e.At.Before(f.At) || (e.At.Equal(f.At) && e.ID < f.ID) {
			first[e.CaseID] = e
		}
	}
	out := make([]models.CaseEvent, 0, len(first))
	for _, e := range first {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b models.CaseEvent) int { return cmp.Compare(a.CaseID, b.CaseID) })
	return out
}
