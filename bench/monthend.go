package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wuye/wuye/bench/svc"
	"github.com/wuye/wuye/models"
)

// MonthEnd is the month-end release: households whose overdue messages
// all fall due at one local minute, released by the estate's SMS rate.
type MonthEnd struct {
	Households int `json:"households"`
	// PolicyRate is the estate's SMS release rate, messages a second.
	PolicyRate int `json:"policy_rate_per_s"`
	// ReleaseAt is the batch's minute: the end of the quiet hours every
	// message fell due in.
	ReleaseAt time.Time `json:"release_at"`
	Sent      int       `json:"sent"`
	// TookS runs from ReleaseAt to the last message sent; the ideal is
	// Households/PolicyRate.
	TookS float64 `json:"took_s"`
	// Achieved is the messages sent a second from the first to the last.
	Achieved float64 `json:"achieved_per_s"`
	// Duplicates are messages beyond one per household (by recipient)
	// or per message key: 0 is the target.
	Duplicates int `json:"duplicates"`
	// LateBills are bills posted after ReleaseAt (setup overran the
	// quiet hours): their messages fell into later batches.
	LateBills int    `json:"late_bills"`
	Note      string `json:"note,omitempty"`
}

// monthEndTemplate is the message the first ladder step sends.
const monthEndTemplate = "payment_overdue_polite"

// monthEndWorkers is how many API calls the setup has in flight.
const monthEndWorkers = 8

// runMonthEnd measures the month-end release: c.monthEnd households, each
// with a resident, in one estate whose first ladder step messages at once
// (after 0) at c.monthEndRate SMS a second. The households are created,
// then the estate's quiet hours are set to end at a minute boundary after
// the bills can have been posted, then each household gets a long-overdue
// bill (its collection opens and its message falls due inside the quiet
// hours): every message is in the batch of that minute. The clock runs
// from the quiet hours' end to the last message the messages table counts
// sent, read every 500 ms; duplicates are counted there.
func runMonthEnd(ctx context.Context, c config, tg target) (*MonthEnd, error) {
	me := &MonthEnd{Households: c.monthEnd, PolicyRate: c.monthEndRate}
	_, db, err := tg.db.open(ctx)
	if err != nil {
		return me, err
	}
	e, err := svc.SetupEstate(ctx, tg.base, "MONTHEND", func(p *models.Policy) {
		p.Release.Rates = map[models.Channel]int{models.ChannelSMS: c.monthEndRate}
		p.Dunning.Steps[0].After = 0
	})
	if err != nil {
		return me, err
	}
	admin := e.Admin
	var estate struct {
		TimeZone string `json:"time_zone"`
	}
	if err := admin.Call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/estates/%d", e.ID), nil, http.StatusOK, &estate); err != nil {
		return me, err
	}
	loc, err := time.LoadLocation(estate.TimeZone)
	if err != nil {
		return me, err
	}
	var building idOnly
	if err := admin.Call(ctx, http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": e.ID, "name": "月末楼"}, http.StatusCreated, &building); err != nil {
		return me, err
	}
	households := make([]uint64, c.monthEnd)
	began := time.Now()
	if err := inParallel(ctx, c.monthEnd, func(ctx context.Context, i int) error {
		var unit, hh idOnly
		if err := admin.Call(ctx, http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": strconv.Itoa(1001 + i)}, http.StatusCreated, &unit); err != nil {
			return err
		}
		if err := admin.Call(ctx, http.MethodPost, "/api/v1/households", map[string]any{"unit_id": unit.ID}, http.StatusCreated, &hh); err != nil {
			return err
		}
		households[i] = hh.ID
		return admin.Call(ctx, http.MethodPost, "/api/v1/residents", map[string]any{"household_id": hh.ID, "name": "业主" + strconv.Itoa(i),
			"phone": fmt.Sprintf("137%08d", i), "role": "owner"}, http.StatusCreated, nil)
	}); err != nil {
		return me, err
	}
	// The bills take about a third of the households' three calls each;
	// twice that and a minute, to the next whole minute, ends the quiet.
	margin := 2*time.Since(began)/3 + time.Minute
	now := time.Now()
	release := now.Add(margin).Truncate(time.Minute).Add(time.Minute)
	me.ReleaseAt = release
	if err := svc.TunePolicy(ctx, admin, e.ID, func(p *models.Policy) {
		p.QuietHours = models.QuietHours{Start: now.Add(-time.Minute).In(loc).Format("15:04"), End: release.In(loc).Format("15:04")}
	}); err != nil {
		return me, err
	}
	var late atomic.Int64
	if err := inParallel(ctx, c.monthEnd, func(ctx context.Context, i int) error {
		err := admin.Call(ctx, http.MethodPost, "/api/v1/bills", map[string]any{"household_id": households[i], "period": "2025-01", "amount_fen": 30000}, http.StatusCreated, nil)
		if time.Now().After(release) {
			late.Add(1)
		}
		return err
	}); err != nil {
		return me, err
	}
	me.LateBills = int(late.Load())
	if me.LateBills > 0 {
		me.Note = fmt.Sprintf("%d bills posted after the quiet hours ended: their messages are in later batches", me.LateBills)
	}

	var row struct {
		Sent, MsgKeys, Recipients int
		First, Last               string
	}
	count := func() error {
		return db.WithContext(ctx).Raw(`SELECT COUNT(*) AS sent, COUNT(DISTINCT message_key) AS msg_keys,
			COUNT(DISTINCT recipient_id) AS recipients, COALESCE(MIN(sent_at), '') AS first, COALESCE(MAX(sent_at), '') AS last
			FROM messages WHERE estate_id = ? AND template = ? AND recipient_kind = ? AND status = ?`,
			e.ID, monthEndTemplate, models.RecipientResident, models.MessageSent).Scan(&row).Error
	}
	for {
		if err := count(); err != nil {
			return me, err
		}
		me.Sent = row.Sent
		if row.Sent >= c.monthEnd {
			break
		}
		select {
		case <-ctx.Done():
			return me, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	me.Duplicates = max(row.Sent-row.MsgKeys, row.Sent-row.Recipients)
	first, err1 := parseDBTime(row.First)
	last, err2 := parseDBTime(row.Last)
	if err1 != nil || err2 != nil {
		return me, fmt.Errorf("sent_at %q, %q: %v %v", row.First, row.Last, err1, err2)
	}
	me.TookS = last.Sub(release).Seconds()
	if span := last.Sub(first).Seconds(); span > 0 {
		me.Achieved = float64(row.Sent-1) / span
	}
	return me, nil
}

// inParallel runs fn for 0..n-1, monthEndWorkers at a time; the first
// error stops the rest.
func inParallel(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range monthEndWorkers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// parseDBTime reads a timestamp as SQLite or MySQL return it as text.
func parseDBTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unknown time format %q", s)
}
