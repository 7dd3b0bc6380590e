package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strconv"
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
	// SetupS is the units' and households' imports, from the first
	// upload to the second import done.
	SetupS float64 `json:"setup_s"`
	// LeadS is the time given from the bills' import to the release: the
	// quiet hours end at the first whole minute after it.
	LeadS float64 `json:"lead_s"`
	// ImportS is the bills' import, from its upload to its process done
	// (rows applied and every household's collection told).
	ImportS float64 `json:"import_s"`
	// DrawnS is from the bills' upload to the last household's message
	// drawing its release slot (its collection opened and its first
	// step queued); 0 when not seen before the last message was sent.
	DrawnS float64 `json:"drawn_s,omitempty"`
	// DrawnAtRelease is the slots drawn when the release minute came (the
	// first count read after it).
	DrawnAtRelease int64 `json:"drawn_at_release"`
	// ReleaseAt is the batch's minute: the end of the quiet hours every
	// message fell due in.
	ReleaseAt time.Time `json:"release_at"`
	Sent      int       `json:"sent"`
	// FirstS and TookS run from ReleaseAt to the first and the last
	// message sent; the ideal TookS is Households/PolicyRate, and FirstS
	// below 0 is a message sent in the quiet hours.
	FirstS float64 `json:"first_s"`
	TookS  float64 `json:"took_s"`
	// Achieved is the messages sent a second from the first to the last.
	Achieved float64 `json:"achieved_per_s"`
	// Duplicates are messages beyond one per household (by recipient)
	// or per message key: 0 is the target.
	Duplicates int `json:"duplicates"`
	// LateBills are households whose message fell due after the quiet
	// hours ended (its collection saw its bill too late: setup overran
	// the lead), so it is in a later batch than ReleaseAt's.
	LateBills int    `json:"late_bills"`
	Note      string `json:"note,omitempty"`
}

// monthEndTemplate is the message the first ladder step sends.
const monthEndTemplate = "payment_overdue_polite"

// monthEndBuilding is the building every month-end unit is in.
const monthEndBuilding = "月末楼"

// monthEndLead is the time from the bills' import to the release minute:
// the import, then each of n households' collections opened (started, its
// account read, its first message due) at openRate a second, and a minute
// to spare.
func monthEndLead(n, openRate int) time.Duration {
	return time.Duration(n)*time.Second/time.Duration(max(openRate, 1)) + time.Minute
}

// releaseMinute is the first whole minute at least lead after now.
func releaseMinute(now time.Time, lead time.Duration) time.Time {
	return now.Add(lead).Add(time.Minute - time.Nanosecond).Truncate(time.Minute)
}

// monthEndFile is the csv of n households of kind units, households or
// opening_balances (the import kinds' columns, in order): unit 1001+i of
// monthEndBuilding, its owner 业主i on 137 then i in eight digits, and a
// bill of 300.00 yuan for 2025-01 due 2025-02-10 (long overdue).
func monthEndFile(kind string, n int) ([]byte, error) {
	var head []string
	var row func(i int) []string
	unit := func(i int) string { return strconv.Itoa(1001 + i) }
	switch kind {
	case "units":
		head = []string{"楼栋", "房号", "楼层", "建筑面积(㎡)", "物业类型", "房屋状态"}
		row = func(i int) []string {
			return []string{monthEndBuilding, unit(i), strconv.Itoa(1 + i/10%300), "89.00", "住宅", "入住"}
		}
	case "households":
		head = []string{"楼栋", "房号", "入住日期", "姓名", "手机", "身份"}
		row = func(i int) []string {
			return []string{monthEndBuilding, unit(i), "2024-05-01", "业主" + strconv.Itoa(i), fmt.Sprintf("137%08d", i), "业主"}
		}
	case "opening_balances":
		head = []string{"楼栋", "房号", "账期", "金额(元)", "原到期日"}
		row = func(i int) []string { return []string{monthEndBuilding, unit(i), "2025-01", "300.00", "2025-02-10"} }
	default:
		return nil, fmt.Errorf("month-end file: unknown kind %q", kind)
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(head)
	for i := range n {
		_ = w.Write(row(i))
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// importFile uploads the month-end file of kind for n households through
// the service's import (POST /api/v1/imports) and waits for its process to
// end, polling every 500 ms; the import must end done with no failed row.
func importFile(ctx context.Context, admin *svc.Client, estateID uint64, kind string, n int) error {
	file, err := monthEndFile(kind, n)
	if err != nil {
		return err
	}
	var rep struct {
		Import *models.Import `json:"import"`
	}
	path := fmt.Sprintf("/api/v1/imports?kind=%s&estate_id=%d", kind, estateID)
	if err := admin.Upload(ctx, path, kind+".csv", file, http.StatusAccepted, &rep); err != nil {
		return err
	}
	if rep.Import == nil {
		return fmt.Errorf("import %s: no import in the answer", kind)
	}
	for {
		var imp models.Import
		if err := admin.Call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/imports/%d", rep.Import.ID), nil, http.StatusOK, &imp); err != nil {
			return err
		}
		switch {
		case imp.Status == models.ImportDone && imp.Failed == 0 && imp.Done == n:
			return nil
		case imp.Status != models.ImportRunning:
			return fmt.Errorf("import %d of %s: %s, %d of %d rows done, %d failed", imp.ID, kind, imp.Status, imp.Done, imp.Total, imp.Failed)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("import %d of %s: %d of %d rows done: %w", imp.ID, kind, imp.Done, imp.Total, ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// runMonthEnd measures the month-end release: c.monthEnd households, each
// with a resident, in one estate whose first ladder step messages at once
// (after 0) at c.monthEndRate SMS a second. The units and households come
// in through the service's imports; then the estate's quiet hours are set
// to end at the first whole minute monthEndLead after now, and the
// households' long-overdue bills come in through the opening-balance
// import, whose process tells each household's collection (starting it):
// each collection's first message falls due inside the quiet hours, so
// every message is in the batch of that minute. The clock runs from the
// quiet hours' end to the last message the messages table counts sent,
// read every 500 ms; duplicates are counted there, and the release slots
// drawn outside that minute's batch are the late bills. Cut short by its
// bound, it returns what it has seen with a note saying so; its progress
// goes to out as it goes, so a run stopped by hand still shows it.
func runMonthEnd(ctx context.Context, c config, tg target, out io.Writer) (*MonthEnd, error) {
	me := &MonthEnd{Households: c.monthEnd, PolicyRate: c.monthEndRate}
	_, db, err := tg.db.open(ctx)
	if err != nil {
		return me, err
	}
	began := time.Now()
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
	for _, kind := range []string{"units", "households"} {
		if err := importFile(ctx, admin, e.ID, kind, c.monthEnd); err != nil {
			return me, err
		}
	}
	me.SetupS = time.Since(began).Seconds()
	fmt.Fprintf(out, "  month-end: %d units and households imported in %.1f s\n", c.monthEnd, me.SetupS)
	lead := monthEndLead(c.monthEnd, c.monthEndOpenRate)
	now := time.Now()
	release := releaseMinute(now, lead)
	me.ReleaseAt, me.LeadS = release, release.Sub(now).Seconds()
	if err := svc.TunePolicy(ctx, admin, e.ID, func(p *models.Policy) {
		p.QuietHours = models.QuietHours{Start: now.Add(-time.Minute).In(loc).Format("15:04"), End: release.In(loc).Format("15:04")}
	}); err != nil {
		return me, err
	}
	posted := time.Now()
	if err := importFile(ctx, admin, e.ID, "opening_balances", c.monthEnd); err != nil {
		return me, err
	}
	me.ImportS = time.Since(posted).Seconds()
	fmt.Fprintf(out, "  month-end: bills imported and every collection told in %.1f s; quiet hours end %s (lead %.0f s)\n",
		me.ImportS, release.Format("15:04:05"), me.LeadS)

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
	drawn := func() (int64, error) {
		var n int64
		err := db.WithContext(ctx).Model(&models.ReleaseSlot{}).Where("estate_id = ? AND channel = ?", e.ID, models.ChannelSMS).Count(&n).Error
		return n, err
	}
	atRelease := false
	told := time.Now()
	for {
		if me.DrawnS == 0 {
			after := !time.Now().Before(release)
			n, err := drawn()
			if err != nil {
				return me, err
			}
			if after && !atRelease {
				me.DrawnAtRelease, atRelease = n, true
			}
			if n >= int64(c.monthEnd) {
				me.DrawnS = time.Since(posted).Seconds()
				if !atRelease {
					me.DrawnAtRelease = n
				}
			}
		}
		if err := count(); err != nil {
			return me, err
		}
		me.Sent = row.Sent
		if row.Sent >= c.monthEnd {
			break
		}
		if time.Since(told) >= time.Minute {
			n, _ := drawn()
			fmt.Fprintf(out, "  month-end %s: %d slots drawn, %d sent\n", time.Now().UTC().Format("15:04:05"), n, row.Sent)
			told = time.Now()
		}
		select {
		case <-ctx.Done():
			me.Note = fmt.Sprintf("stopped (%v) with %d of %d messages sent", ctx.Err(), row.Sent, c.monthEnd)
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
	me.FirstS, me.TookS = first.Sub(release).Seconds(), last.Sub(release).Seconds()
	if span := last.Sub(first).Seconds(); span > 0 {
		me.Achieved = float64(row.Sent-1) / span
	}
	var batches []struct {
		Batch string
		N     int
	}
	if err := db.WithContext(ctx).Raw(`SELECT batch, COUNT(*) AS n FROM release_slots WHERE estate_id = ? AND channel = ? GROUP BY batch`,
		e.ID, models.ChannelSMS).Scan(&batches).Error; err != nil {
		return me, err
	}
	for _, b := range batches {
		at, err := parseDBTime(b.Batch)
		if err != nil {
			return me, fmt.Errorf("release batch: %w", err)
		}
		if !at.Equal(release) {
			me.LateBills += b.N
		}
	}
	if me.LateBills > 0 {
		me.Note = fmt.Sprintf("%d households' messages fell due after the quiet hours ended (lead %.0f s too short): they are in later batches", me.LateBills, me.LeadS)
	}
	return me, nil
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
