package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/wuye/wuye/bench/svc"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/workflows"
)

// Plans is the inspection-plan section: N daily plans across M estates,
// the engine's work on their workflows over a rest window between
// occurrences, and the day's occurrences against their start time (every
// plan at the same minute: the worst case of "everything at 08:00").
type Plans struct {
	Plans    int    `json:"plans"`
	Created  int    `json:"created"`
	Estates  int    `json:"estates"`
	TimeZone string `json:"time_zone"`
	// At is the plans' local clock time, ScheduledAt the occurrence it
	// gives (UTC); LeadS is how far ahead of the setup it was put.
	At          string    `json:"at"`
	ScheduledAt time.Time `json:"scheduled_at"`
	LeadS       float64   `json:"lead_s"`
	// CreateAheadS is the estates' inspection.create_ahead; CreateAheadSet
	// whether the bench set it through the policy API (not the default).
	CreateAheadS   float64 `json:"create_ahead_s"`
	CreateAheadSet bool    `json:"create_ahead_set"`
	CreateS        float64 `json:"create_s"`
	CreateRate     float64 `json:"create_per_s"`
	// SettleS is how long after the last create the plan workflows'
	// histories stopped growing (each asleep on its timer).
	SettleS float64 `json:"settle_s"`
	Settled bool    `json:"settled"`
	// Rest: the plan workflows' history events (DescribeWorkflowExecution
	// HistoryLength, summed) before and after RestWindowS with nothing due;
	// RestEvents is the growth, RestBusy how many workflows grew.
	RestWindowS    float64 `json:"rest_window_s"`
	RestWorkflows  int     `json:"rest_workflows"`
	RestEventsFrom int64   `json:"rest_events_before"`
	RestEvents     int64   `json:"rest_events"`
	RestEventsPerS float64 `json:"rest_events_per_s"`
	RestBusy       int     `json:"rest_busy_workflows"`
	// RestGrown names up to five workflows that grew, to look into.
	RestGrown []string `json:"rest_grown,omitempty"`
	// Occurrences: each one's row created_at minus ScheduledAt.
	Occ OccurrenceLateness `json:"occurrences"`
	// Reached is the last stage finished: "create", "settle", "rest",
	// "occurrences" ("occurrences, cut short": Occ counts the rows found
	// before the phase's bound).
	Reached string `json:"reached"`
}

// OccurrenceLateness is when a day's occurrences were created against
// their start time.
type OccurrenceLateness struct {
	Want int `json:"want"`
	// Found counts rows by the end of the wait (WaitS after the start);
	// Within those created no later than BoundS after it (one created
	// ahead of its start is on time); Missing is Want - Within; Early
	// those created before the start.
	Found   int     `json:"found"`
	Within  int     `json:"within_bound"`
	Missing int     `json:"missing_by_bound"`
	Early   int     `json:"early"`
	BoundS  float64 `json:"bound_s"`
	WaitS   float64 `json:"wait_s"`
	// P50ms, P99ms, MaxMs: created − start, signed (an occurrence created
	// ahead of its start is negative, not clamped).
	P50ms float64 `json:"p50_ms"`
	P99ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`
	// Behind*: created − the moment the plan meant to create it
	// (models.InspectionPolicy.CreateAt: the start less create_ahead plus
	// the plan's jitter): the engine's backlog, whatever the window.
	BehindP50ms float64 `json:"behind_p50_ms"`
	BehindP99ms float64 `json:"behind_p99_ms"`
	BehindMaxMs float64 `json:"behind_max_ms"`
}

// occurrenceBound is the target: an occurrence created within a minute of
// its start time.
const occurrenceBound = time.Minute

// assumedPlanCreates is the plan creates per second the lead is planned
// for: below what this machine does (each is a row and a workflow start),
// so that setup ends before the occurrence; a setup that overruns is
// reported (missing occurrences, a shortened rest window).
const assumedPlanCreates = 15

// planTiming is when the plans' occurrence falls: the first whole minute
// in loc at least lead after now, as the plans' "HH:MM", and the local
// date the plans start from (the day before, so that the occurrence is
// never a plan's first day edge case).
func planTiming(now time.Time, lead time.Duration, loc *time.Location) (at time.Time, clock string, startsOn models.Date) {
	t := now.Add(lead).In(loc)
	at = t.Truncate(time.Minute)
	if at.Before(t) {
		at = at.Add(time.Minute)
	}
	return at, at.Format("15:04"), models.DateOf(at.AddDate(0, 0, -1), loc)
}

// planLead is how far ahead of the setup the occurrence goes: the creates
// at assumedPlanCreates, the engine's backlog of first workflow tasks
// (about 60 a second here, two per plan), two sweeps of describes, the
// rest window and a margin.
func planLead(n int, rest time.Duration) time.Duration {
	perPlan := time.Second/assumedPlanCreates + 2*time.Second/60 + 2*2*time.Millisecond
	return time.Duration(n)*perPlan + rest + 45*time.Second
}

// planStartLead is how far ahead of the setup the plans' start goes with
// create_ahead ahead: planLead before the first creation (the window
// before the start), so that the rest window ends before any occurrence
// is created.
func (c config) planStartLead() time.Duration {
	return planLead(c.plans, c.planRest) + c.planCreateAhead
}

// occurrenceWait is how long after the start the rows are waited for: the
// bound, then a backlog drained at no less than 10 a second.
func occurrenceWait(n int) time.Duration {
	return occurrenceBound + time.Duration(n)*100*time.Millisecond + time.Minute
}

func (c config) plansBound() time.Duration {
	// The lead twice over (a slow setup), then the wait for the rows.
	return 2*planLead(c.plans, c.planRest) + c.planCreateAhead + occurrenceWait(c.plans) + 5*time.Minute
}

// summariseOccurrences compares each plan's row time with the start time
// at: created maps plan ID to its row's created_at; ahead is the estates'
// create_ahead, from which each plan's intended creation is computed.
func summariseOccurrences(want int, at time.Time, created map[uint64]time.Time, bound, waited, ahead time.Duration) OccurrenceLateness {
	o := OccurrenceLateness{Want: want, Found: len(created), BoundS: bound.Seconds(), WaitS: waited.Seconds()}
	pol := models.InspectionPolicy{CreateAhead: models.Duration(ahead)}
	lats := make([]time.Duration, 0, len(created))
	behind := make([]time.Duration, 0, len(created))
	for id, t := range created {
		d := t.Sub(at)
		lats = append(lats, d)
		behind = append(behind, t.Sub(pol.CreateAt(at, workflows.PlanWorkflowID(id))))
		if d <= bound {
			o.Within++
		}
		if d < 0 {
			o.Early++
		}
	}
	o.Missing = want - o.Within
	o.P50ms, o.P99ms, o.MaxMs = percentiles(lats)
	o.BehindP50ms, o.BehindP99ms, o.BehindMaxMs = percentiles(behind)
	return o
}

// runPlans creates c.plans daily plans across c.planEstates estates (one
// piece of equipment each), all at one local minute shortly ahead, waits
// for their workflows to go to sleep, measures the engine's work on them
// over c.planRest, then the day's occurrences against their start. res is
// filled as the stages finish, so a phase cut short keeps what it got.
func runPlans(ctx context.Context, c config, tg target, res *Plans) error {
	res.Plans, res.Estates = c.plans, max(c.planEstates, 1)
	admin, err := svc.SignIn(ctx, tg.base, "admin", tg.password)
	if err != nil {
		return err
	}
	admin = fastClient(admin)
	s, db, err := tg.db.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	tc, err := client.DialContext(ctx, client.Options{HostPort: tg.frontend, Namespace: "wuye",
		Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		return fmt.Errorf("dial Temporal at %s: %w", tg.frontend, err)
	}
	defer tc.Close()

	// Estates, each with one piece of equipment the plans inspect.
	tag := time.Now().Unix() % 100000
	type estate struct{ id, equipment uint64 }
	estates := make([]estate, res.Estates)
	for i := range estates {
		var e struct {
			ID       uint64 `json:"id"`
			TimeZone string `json:"time_zone"`
		}
		if err := admin.Call(ctx, http.MethodPost, "/api/v1/estates", map[string]any{"code": fmt.Sprintf("PLN%d-%d", tag, i), "name": fmt.Sprintf("巡检压测 %d", i)},
			http.StatusCreated, &e); err != nil {
			return err
		}
		if res.TimeZone == "" {
			res.TimeZone = e.TimeZone
		} else if e.TimeZone != res.TimeZone {
			return fmt.Errorf("estate %d in %s, the first in %s: want one time zone", e.ID, e.TimeZone, res.TimeZone)
		}
		var eq idOnly
		if err := admin.Call(ctx, http.MethodPost, "/api/v1/equipment", map[string]any{"estate_id": e.ID, "code": "SB-01", "name": "生活水泵",
			"type": models.EquipmentPump, "location": "地下泵房"}, http.StatusCreated, &eq); err != nil {
			return err
		}
		estates[i] = estate{e.ID, eq.ID}
		if ahead := models.Duration(c.planCreateAhead); ahead != models.DefaultInspectionPolicy().CreateAhead {
			if err := svc.TunePolicy(ctx, admin, e.ID, func(p *models.Policy) { p.Inspection.CreateAhead = ahead }); err != nil {
				return fmt.Errorf("estate %d create_ahead %v: %w", e.ID, ahead, err)
			}
			res.CreateAheadSet = true
		}
	}
	res.CreateAheadS = c.planCreateAhead.Seconds()
	loc, err := time.LoadLocation(res.TimeZone)
	if err != nil {
		return fmt.Errorf("estate time zone: %w", err)
	}

	began := time.Now()
	at, clock, startsOn := planTiming(began, c.planStartLead(), loc)
	// The first occurrence may be created create_ahead before the start.
	firstCreate := at.Add(-c.planCreateAhead)
	res.At, res.ScheduledAt, res.LeadS = clock, at.UTC(), at.Sub(began).Seconds()
	var (
		mu       sync.Mutex
		ids      = make([]uint64, 0, c.plans)
		firstErr error
	)
	each(ctx, c.plans, 16, func(i int) {
		e := estates[i%len(estates)]
		var p idOnly
		err := admin.Call(ctx, http.MethodPost, "/api/v1/inspection-plans", map[string]any{"estate_id": e.id, "equipment_id": e.equipment,
			"name": fmt.Sprintf("水泵日检 %d", i), "cadence": models.CadenceDaily, "starts_on": startsOn.String(), "at": clock,
			"checklist": []map[string]any{{"text": "压力表读数正常", "required": true}}, "assignee_role": models.RoleTechnician}, http.StatusCreated, &p)
		mu.Lock()
		defer mu.Unlock()
		if err == nil {
			ids = append(ids, p.ID)
		} else if firstErr == nil {
			firstErr = err
		}
	})
	created := time.Now()
	res.Created = len(ids)
	res.CreateS = created.Sub(began).Seconds()
	res.CreateRate = float64(res.Created) / max(res.CreateS, 1e-3)
	if firstErr != nil {
		return fmt.Errorf("%d of %d plans created: %w", res.Created, c.plans, firstErr)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	res.Reached = "create"

	// Settle: sweep the histories until a sweep finds none with a task
	// pending and every one as the sweep before (all asleep on their
	// timers), then rest.
	var (
		before  map[uint64]int64
		settled bool
	)
	for {
		h, busy, err := historyLengths(ctx, tc, ids)
		if err != nil {
			return err
		}
		settled = busy == 0 && before != nil && equalLengths(before, h)
		before = h
		if settled || time.Until(firstCreate) < 15*time.Second {
			break
		}
		select {
		case <-time.After(2 * time.Second):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	res.SettleS, res.Settled = time.Since(created).Seconds(), settled
	res.Reached = "settle"
	rest := min(c.planRest, time.Until(firstCreate)-10*time.Second)
	if rest < 5*time.Second {
		res.RestWindowS = 0 // setup overran: no rest window left before the occurrence
	} else {
		select {
		case <-time.After(rest):
		case <-ctx.Done():
			return ctx.Err()
		}
		after, _, err := historyLengths(ctx, tc, ids)
		if err != nil {
			return err
		}
		res.RestWindowS, res.RestWorkflows = rest.Seconds(), len(after)
		for id, n := range after {
			b, ok := before[id]
			if !ok {
				continue
			}
			res.RestEventsFrom += b
			if n > b {
				res.RestEvents += n - b
				res.RestBusy++
				if len(res.RestGrown) < 5 {
					res.RestGrown = append(res.RestGrown, fmt.Sprintf("%s: %d → %d events", workflows.PlanWorkflowID(id), b, n))
				}
			}
		}
		res.RestEventsPerS = float64(res.RestEvents) / rest.Seconds()
		res.Reached = "rest"
	}

	// The day's occurrences: each plan's row at at (created from
	// firstCreate on).
	if w := time.Until(at); w > 0 {
		select {
		case <-time.After(w):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	wait := occurrenceWait(len(ids))
	estateIDs := make([]uint64, len(estates))
	for i, e := range estates {
		estateIDs[i] = e.id
	}
	rows := map[uint64]time.Time{}
	for {
		var got []models.Inspection
		if err := db.WithContext(ctx).Select("plan_id", "scheduled_at", "created_at").Where("estate_id IN ?", estateIDs).
			Find(&got).Error; err != nil {
			return err
		}
		for _, r := range got {
			if r.ScheduledAt.Equal(at) {
				rows[r.PlanID] = r.CreatedAt
			}
		}
		if len(rows) >= len(ids) || time.Since(at) > wait {
			break
		}
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
			res.Occ = summariseOccurrences(len(ids), at, rows, occurrenceBound, time.Since(at), c.planCreateAhead)
			res.Reached = "occurrences, cut short"
			return ctx.Err()
		}
	}
	res.Occ = summariseOccurrences(len(ids), at, rows, occurrenceBound, time.Since(at), c.planCreateAhead)
	res.Reached = "occurrences"
	return nil
}

// historyLengths describes each plan's workflow, 16 at a time: its
// history's length in events, and how many have a workflow task or an
// activity pending (not asleep on their timer).
func historyLengths(ctx context.Context, tc client.Client, ids []uint64) (map[uint64]int64, int, error) {
	out := make(map[uint64]int64, len(ids))
	var (
		mu       sync.Mutex
		firstErr error
		busy     int
	)
	each(ctx, len(ids), 16, func(i int) {
		d, err := tc.DescribeWorkflowExecution(ctx, workflows.PlanWorkflowID(ids[i]), "")
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("describe %s: %w", workflows.PlanWorkflowID(ids[i]), err)
			}
			return
		}
		out[ids[i]] = d.GetWorkflowExecutionInfo().GetHistoryLength()
	})
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return out, busy, firstErr
}

// equalLengths reports whether two sweeps found the same workflows with
// the same history lengths.
func equalLengths(a, b map[uint64]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for id, n := range a {
		if m, ok := b[id]; !ok || m != n {
			return false
		}
	}
	return true
}
