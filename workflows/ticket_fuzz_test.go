package workflows

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
)

// ticketHorizon is how long a fuzzed ticket runs after the last action
// before it is stopped: longer than its longest chain of timers (an
// appointment a year ahead, completion 90 days after it, ten escalation
// levels 30 days apart, confirmation and return visit).
const ticketHorizon = 3 * 365 * 24 * time.Hour

// FuzzTicketWorkflow runs a ticket of any kind and urgency, reported at
// any moment of the service's years, under any valid policy, with the
// appointment asked for moved inside the policy's horizon the way the API
// makes a client move it, and any staff actions at any moments.
func FuzzTicketWorkflow(f *testing.F) {
	now := at(2, 9, 0).Unix()
	crash := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix() // once made every workflow task panic
	const repair, complaint = uint8(0), uint8(1)
	const critical, urgent, normal = uint8(0), uint8(1), uint8(2)
	// The appointment that crashed, refused and moved to the end of the
	// longest horizon (366 days), then of the default one (60 days).
	f.Add(now, repair, normal, crash, everyMax)
	f.Add(now, repair, normal, crash, []byte(nil))
	// The ends of the longest horizon and of the default one, as asked;
	// an appointment for now.
	f.Add(now, repair, normal, now+366*86400, everyMax)
	f.Add(now, repair, normal, now+60*86400, []byte(nil))
	f.Add(now, repair, normal, now, fuzzSeed(1, 2048))
	// Every window at its minimum, at its maximum, and in between.
	f.Add(now, repair, critical, int64(-1), []byte(nil))
	f.Add(now, complaint, normal, int64(-1), everyMax)
	f.Add(now, repair, urgent, int64(-1), fuzzSeed(2, 2048))
	f.Add(now, complaint, critical, int64(-1), fuzzSeed(3, 2048))
	// The service's first and last seconds.
	f.Add(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), repair, normal, int64(0), fuzzSeed(4, 2048))
	f.Add(time.Date(2099, 12, 31, 23, 59, 59, 0, time.UTC).Unix(), repair, normal, crash, everyMax)
	f.Fuzz(runTicket)
}

// runTicket is one run of FuzzTicketWorkflow: the report at reported
// (unix seconds), the kind and urgency, the appointment asked for (unix
// seconds, none when negative); the policy, the ticket and up to 16 staff
// actions read from data.
func runTicket(t *testing.T, reported int64, kind, urgency uint8, appointment int64, data []byte) {
	s := &script{b: data}
	now := serviceNow(reported)
	p := fuzzPolicy(t, s, now)
	in := fuzzTicketInput(t, s, now, p,
		[]models.TicketKind{models.TicketRepair, models.TicketComplaint}[kind%2],
		models.Urgencies()[urgency%3], appointment)

	h := newHarness(t, in)
	w := watch(t, h.env, nil)
	answers := map[string]error{}
	w.actions(s, s.intIn(0, 16), func(i int) {
		var v TicketView
		w.query(&v, TicketStateQuery)
		a := fuzzTicketAction(s, w, v, in)
		h.env.UpdateWorkflow(TicketActionUpdate, "", answer(answers, fmt.Sprintf("action %d (%s by %s %d)", i, a.Action, a.ActorRole, a.ActorID)), a)
	}, ticketHorizon, func() { w.query(&TicketView{}, TicketStateQuery) })
	h.env.ExecuteWorkflow(Ticket, h.in)

	err := w.settled(nil)
	wantAnswers(t, answers)
	h.mu.Lock()
	defer h.mu.Unlock()
	wantStorable(t, "RecordInput", h.records)
	if err == nil {
		var res TicketResult
		if err := h.env.GetWorkflowResult(&res); err != nil || !res.Status.Terminal() {
			t.Errorf("result: got %+v (%v), want a closed or cancelled ticket", res, err)
		}
	}
}

// fuzzTicketInput is the workflow input of a ticket that passes the API's
// checks at now: the request's own, the appointment's horizon, and its
// deadlines. IDs run up to the largest the API takes.
func fuzzTicketInput(t *testing.T, s *script, now time.Time, p models.Policy, kind models.TicketKind, u models.Urgency, appointment int64) TicketInput {
	t.Helper()
	req := models.NewTicketRequest{
		EstateID: s.id(), Kind: kind, Urgency: u, Category: "水电", Description: "厨房水管漏水",
		Location: s.text(200), Channel: pick(s, []models.ReportChannel{models.ReportPhone, models.ReportWalkIn, models.ReportApp, models.ReportIntegration}),
		FirstReceiverID: pick(s, fuzzDesk()).id,
	}
	if s.flag() || req.Location == "" {
		hh := s.id()
		req.HouseholdID = &hh
	}
	if s.flag() {
		res := s.id()
		req.ResidentID = &res
	}
	req.Appointment = appointmentFor(t, appointment, req, p.Repair, now)
	if err := req.Validate(now); err != nil {
		t.Fatalf("ticket request: got %v, want one the API accepts", err)
	}
	tz := pick(s, fuzzZones)
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.TicketSchedule(p, kind, u, now, req.Appointment, loc); err != nil {
		t.Fatalf("deadlines: got %v, want a schedule the API accepts", err)
	}
	tk := req.Ticket(now)
	tk.ID = s.id()
	return NewTicketInput(tk, p, tz)
}

// appointmentFor reads unix seconds as the appointment a client asks a
// normal repair for (none when negative, or for any other ticket), moved
// the way the API's refusals make the client move it: not before now, not
// past the policy's horizon. What it returns passes the horizon's check.
func appointmentFor(t *testing.T, sec int64, req models.NewTicketRequest, p models.RepairPolicy, now time.Time) *time.Time {
	t.Helper()
	if sec < 0 || req.Kind != models.TicketRepair || req.Urgency != models.UrgencyNormal {
		return nil
	}
	a := time.Unix(sec, 0).UTC()
	if a.Before(now) {
		a = now
	}
	if p.CheckAppointment(&a, now) != nil {
		h := p.AppointmentHorizon
		if h <= 0 {
			h = models.DefaultAppointmentHorizon
		}
		a = now.Add(h.Std())
	}
	if err := p.CheckAppointment(&a, now); err != nil {
		t.Fatalf("appointment at the horizon's end: got %v, want it accepted", err)
	}
	return &a
}

// ticketProgress are the actions that move a ticket on to its close.
var ticketProgress = []string{ActDispatch, ActAccept, ActContact, ActArrive, ActAcknowledge, ActAnswer, ActComplete, ActConfirm, ActReturnVisit}

// fuzzTicketAction picks the next action: one that moves the ticket on, or
// any, of those the workflow allows some staff member now (as a console
// offers them) or the resident's signed link; else any action by anyone.
// Its fields come from s.
func fuzzTicketAction(s *script, w *fuzzWatch, v TicketView, in TicketInput) TicketAction {
	var a TicketAction
	if mode := s.intn(3); mode < 2 {
		var offered []TicketAction
		for _, m := range fuzzStaff {
			var names []string
			w.query(&names, TicketAllowedActionsQuery, AllowedActionsInput{ActorID: m.id, ActorRole: m.role})
			for _, n := range names {
				offered = append(offered, TicketAction{Action: n, ActorID: m.id, ActorRole: m.role})
			}
		}
		if v.Status == models.StatusCompleted && in.ResidentID != 0 {
			offered = append(offered, TicketAction{Action: ActConfirm, ActorID: in.ResidentID, ActorRole: ResidentLinkRole})
		}
		if onward := slices.DeleteFunc(slices.Clone(offered), func(a TicketAction) bool {
			return !slices.Contains(ticketProgress, a.Action)
		}); mode == 0 && len(onward) > 0 {
			offered = onward
		}
		if len(offered) > 0 {
			a = offered[s.intn(len(offered))]
		}
	}
	if a.Action == "" {
		m := pick(s, slices.Concat(fuzzStaff, []member{{in.ResidentID, ResidentLinkRole}}))
		a = TicketAction{Action: pick(s, TicketActions()), ActorID: m.id, ActorRole: m.role}
	}
	a.AssigneeID = pick(s, []uint64{tech, tech2, receiver, math.MaxInt64, 0})
	a.Reason, a.Note, a.Summary, a.Materials, a.Comments = s.text(500), s.text(2000), s.text(2000), s.text(1000), s.text(2000)
	a.HoldReason = pick(s, []models.HoldReason{models.HoldWaitingParts, models.HoldResidentAbsent, models.HoldResidentAppointment, ""})
	a.ChargeFen = models.Money(s.between(0, 100_000_000))
	a.Accepted, a.Score = s.flag(), s.intIn(0, 5)
	return a
}
