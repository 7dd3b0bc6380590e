package workflows

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
)

// followUpHorizon is how long a fuzzed follow-up runs after the last action
// before it is stopped: past a visit scheduled at the date window's end.
const followUpHorizon = 11 * 365 * 24 * time.Hour

// FuzzFollowUpWorkflow runs the follow-up of a move-in registered at any
// moment of the service's years, moved in from a year before to 90 days
// after, under any valid policy, with any staff actions at any moments:
// visits scheduled up to the date window's end, failed attempts, visits
// recorded with up to 20 items of every kind, and the tickets they open
// closing at any time.
func FuzzFollowUpWorkflow(f *testing.F) {
	now := at(2, 10, 0).Unix()
	const day = int64(86400)
	f.Add(now, -365*day, everyMax)    // moved in a year before, every bound at its maximum
	f.Add(now, 90*day, everyMax)      // moving in 90 days ahead
	f.Add(now, int64(0), []byte(nil)) // every window at its minimum
	for i := range uint64(6) {
		f.Add(now, int64(i)*-30*day, fuzzSeed(30+i, 4096))
	}
	f.Add(time.Date(2099, 12, 31, 23, 59, 59, 0, time.UTC).Unix(), 90*day, everyMax) // the service's last second
	f.Fuzz(runFollowUp)
}

// runFollowUp is one run of FuzzFollowUpWorkflow: the registration at
// registered (unix seconds), the move-in movedIn seconds from it; the
// policy, the move-in's residents, how long the visit's tickets stay open
// and up to 16 staff actions read from data.
func runFollowUp(t *testing.T, registered, movedIn int64, data []byte) {
	s := &script{b: data}
	now := serviceNow(registered)
	in := fuzzFollowUpInput(t, s, now, movedIn)
	h := newFUHarness(t, in, now)
	for id := uint64(101); id <= 100+models.MaxVisitItems; id++ {
		h.closeAfter[id] = s.dur(0, models.Duration(400*models.Day)).Std()
	}
	w := watch(t, h.env, nil)
	answers := map[string]error{}
	w.actions(s, s.intIn(0, 16), func(i int) {
		var v FollowUpView
		w.query(&v, FollowUpStateQuery)
		a := fuzzFollowUpAction(s, w, v, h.env.Now())
		h.env.UpdateWorkflow(FollowUpActionUpdate, "", answer(answers, fmt.Sprintf("action %d (%s by %s %d)", i, a.Action, a.ActorRole, a.ActorID)), a)
	}, followUpHorizon, func() { w.query(&FollowUpView{}, FollowUpStateQuery) })
	h.env.ExecuteWorkflow(FollowUp, h.in)

	err := w.settled(nil)
	wantAnswers(t, answers)
	h.mu.Lock()
	defer h.mu.Unlock()
	wantStorable(t, "FollowUpRecordInput", h.records)
	if err == nil {
		var res FollowUpResult
		if err := h.env.GetWorkflowResult(&res); err != nil || !res.Status.Terminal() {
			t.Errorf("result: got %+v (%v), want a finished follow-up", res, err)
		}
	}
}

// fuzzFollowUpInput is the workflow input of a move-in that passes the
// API's checks at now: moved in movedIn seconds from now (moved inside a
// year before to 90 days after), with 1 to 10 residents.
func fuzzFollowUpInput(t *testing.T, s *script, now time.Time, movedIn int64) FollowUpInput {
	t.Helper()
	lo, hi := int64(-models.MoveInPastLimit/time.Second), int64(models.MoveInFutureLimit/time.Second)
	moved := now.Add(time.Duration(min(max(movedIn, lo), hi)) * time.Second)
	req := models.MoveInRequest{HouseholdID: s.id(), MovedInAt: &moved, RegisteredBy: pick(s, fuzzDesk()).id}
	base := s.id()
	for k := range uint64(s.intIn(1, models.MaxMoveInResidents)) {
		id := base + k
		if base > k {
			id = base - k
		}
		req.ResidentIDs = append(req.ResidentIDs, id)
	}
	if err := req.Validate(now); err != nil {
		t.Fatalf("move-in: got %v, want one the API accepts", err)
	}
	return FollowUpInput{
		FollowUpID: s.id(), MoveInID: s.id(), EstateID: s.id(), HouseholdID: req.HouseholdID, ResidentIDs: req.ResidentIDs,
		RegisteredBy: req.RegisteredBy, MovedInAt: req.MovedIn(now), Location: s.text(20) + "栋201",
		Policy: fuzzPolicy(t, s, now), TimeZone: pick(s, fuzzZones),
	}
}

// followUpProgress are the actions that move a follow-up on to its close.
var followUpProgress = []string{VisitSchedule, VisitAttempt, VisitRecord}

// fuzzFollowUpAction picks the next action: one that moves the follow-up
// on, or any, of those the workflow allows some staff member now; else any
// action (a move-out too) by anyone. Its fields come from s.
func fuzzFollowUpAction(s *script, w *fuzzWatch, v FollowUpView, now time.Time) FollowUpAction {
	var a FollowUpAction
	if mode := s.intn(3); mode < 2 {
		var offered []FollowUpAction
		for _, m := range fuzzStaff {
			var names []string
			w.query(&names, FollowUpAllowedActionsQuery, AllowedActionsInput{ActorID: m.id, ActorRole: m.role})
			for _, n := range names {
				offered = append(offered, FollowUpAction{Action: n, ActorID: m.id, ActorRole: m.role})
			}
		}
		if onward := slices.DeleteFunc(slices.Clone(offered), func(a FollowUpAction) bool {
			return !slices.Contains(followUpProgress, a.Action)
		}); mode == 0 && len(onward) > 0 {
			offered = onward
		}
		if len(offered) > 0 {
			a = offered[s.intn(len(offered))]
		}
	}
	if a.Action == "" {
		m := pick(s, fuzzStaff)
		a = FollowUpAction{Action: pick(s, append(FollowUpActions(), VisitMovedOut)), ActorID: m.id, ActorRole: m.role}
	}
	a.At = fuzzTryAt(s, v, now)
	a.AssigneeID = pick(s, []uint64{tech, receiver, csAgent, math.MaxInt64, 0})
	a.Reason, a.Note = s.text(150), s.text(500)
	a.Outcome = pick(s, []models.AttemptOutcome{models.AttemptNotHome, models.AttemptNotReachable})
	if a.Action == VisitRecord || s.flag() {
		a.Visit = fuzzVisit(s, v, now)
	}
	return a
}

// fuzzTryAt picks the time of a try: none, the latest the API and the
// workflow allow (the window's end while it is open, else the date window's
// end), any time until then, or a time already past.
func fuzzTryAt(s *script, v FollowUpView, now time.Time) *time.Time {
	_, end := models.DateWindow(now)
	if now.Before(v.DueAt) {
		end = v.DueAt
	}
	var at time.Time
	switch s.intn(4) {
	case 0:
		return nil
	case 1:
		at = end
	case 2:
		at = now.Add(s.dur(0, models.Duration(end.Sub(now))).Std())
	case 3:
		at = now.Add(-s.dur(1, models.Duration(365*models.Day)).Std())
	}
	return &at
}

// fuzzVisit is a visit record: made between the move-in and now (or now,
// before a move-in still ahead), by phone or in person, with up to ten
// participants, twenty items of every kind and urgency, and twenty actions.
func fuzzVisit(s *script, v FollowUpView, now time.Time) *models.FollowUpVisit {
	from, _ := models.DateWindow(now)
	if v.MovedInAt.After(from) {
		from = v.MovedInAt
	}
	visited := now
	if from.Before(now) {
		visited = from.Add(s.dur(0, models.Duration(now.Sub(from))).Std())
	}
	visit := &models.FollowUpVisit{VisitedAt: visited, Satisfaction: s.intIn(1, 5),
		Channel: pick(s, []models.VisitChannel{models.VisitInPerson, models.VisitByPhone})}
	for range s.intIn(1, models.MaxParticipants) {
		visit.Participants = append(visit.Participants, pick(s, []string{"客服小王", strings.Repeat("王", 50)}))
	}
	kinds := []models.VisitItemKind{models.ItemRepair, models.ItemComplaint, models.ItemSuggestion, models.ItemPraise}
	for range s.intIn(0, models.MaxVisitItems) {
		it := models.VisitItem{Kind: pick(s, kinds), Text: pick(s, []string{"水龙头滴水", strings.Repeat("漏", models.MaxVisitText)}),
			Category: s.text(50), Urgency: pick(s, append([]models.Urgency{""}, models.Urgencies()...))}
		if it.Kind != models.ItemRepair && it.Urgency != "" {
			it.Urgency = models.UrgencyNormal
		}
		visit.Items = append(visit.Items, it)
	}
	for range s.intIn(0, models.MaxVisitItems) {
		visit.Actions = append(visit.Actions, pick(s, []string{"一周后电话回访", strings.Repeat("访", 500)}))
	}
	return visit
}
