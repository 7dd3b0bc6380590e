package workflows

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// svHarness runs one survey campaign with its activities mocked: the sample
// is households 1..households, each batch reaches Limit of them.
type svHarness struct {
	t          *testing.T
	env        *testsuite.TestWorkflowEnvironment
	in         SurveyInput
	start      time.Time
	households uint64
	mu         sync.Mutex
	batches    []activities.SurveyBatchInput
	batchAt    []time.Time
	records    []activities.SurveyRecordInput
	opened     []activities.VisitTicketInput
	sends      []activities.SendInput
	errs       map[string]error
	// stored are the responses in the store, each from its AnsweredAt;
	// looks are the Seen lists the process asked with.
	stored []models.SurveyResponse
	looks  [][]uint64
}

// surveyInput is a campaign of 2026Q4 opening Monday 10-05 at 21:00 (after
// the sending hours) and closing 10-15 20:00, reminders 3 and 6 days on.
func surveyInput(opens LowOpens) SurveyInput {
	p := models.DefaultPolicy()
	p.Survey.LowScoreOpens = models.LowScoreAction(opens)
	p.Survey.InviteBatch = 2
	c := models.SurveyCampaign{ID: 9, EstateID: 1, Quarter: "2026Q4", Title: "2026年第四季度满意度调查",
		Questionnaire: models.DefaultQuestionnaire(), Sample: models.SurveySample{Mode: models.SampleAll},
		OpensAt:  time.Date(2026, 10, 5, 21, 0, 0, 0, shanghai),
		ClosesAt: time.Date(2026, 10, 15, 20, 0, 0, 0, shanghai), CreatedBy: manager,
		Reminders: []models.Duration{models.Duration(3 * models.Day), models.Duration(6 * models.Day)}}
	return SurveyInput{Campaign: c, Policy: p, TimeZone: "Asia/Shanghai"}
}

// LowOpens names the policy's low-score action in the tests.
type LowOpens string

func newSVHarness(t *testing.T, in SurveyInput, start time.Time) *svHarness {
	t.Helper()
	h := &svHarness{t: t, env: newTestEnv(), in: in, start: start, households: 5, errs: map[string]error{}}
	h.env.SetStartTime(start)
	h.env.SetTestTimeout(30 * time.Second)
	var sv *activities.Surveys
	var cs *activities.Cases
	var st *activities.Staff
	var tk *activities.Tickets
	var n *activities.Notifier
	h.env.OnActivity(sv.DrawSurveySample, mock.Anything, mock.Anything).Return(activities.DrawSurveyResult{Invited: int(h.households)}, nil)
	h.env.OnActivity(sv.SendSurveyBatch, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SurveyBatchInput) (activities.SurveyBatchResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.batches = append(h.batches, in)
			h.batchAt = append(h.batchAt, h.env.Now().In(shanghai))
			last := min(in.After+uint64(in.Limit), h.households)
			return activities.SurveyBatchResult{Sent: int(last - in.After), Last: last, Done: last == h.households}, nil
		})
	h.env.OnActivity(cs.RecordSurvey, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SurveyRecordInput) (activities.RecordResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.records = append(h.records, in)
			return activities.RecordResult{Recorded: true}, nil
		})
	h.env.OnActivity(st.Brief, mock.Anything, mock.Anything).Return(activities.BriefResult{EstateName: "阳光花园", ServicePhone: "400-800"}, nil)
	h.env.OnActivity(n.Send, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SendInput) (activities.SendResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.sends = append(h.sends, in)
			return activities.SendResult{MessageID: uint64(len(h.sends)), Status: models.MessageSent, Attempts: 1}, nil
		})
	h.env.OnActivity(tk.OpenVisitTicket, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.VisitTicketInput) (activities.OpenedTicket, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.opened = append(h.opened, in)
			hh := in.HouseholdID
			tkt := models.Ticket{ID: 200 + uint64(len(h.opened)), EstateID: in.EstateID, Kind: in.Kind, Urgency: in.Urgency,
				Category: in.Category, Description: in.Description, HouseholdID: &hh, Channel: in.Channel, ReportedAt: in.ReportedAt,
				TicketProgress: models.TicketProgress{Status: models.StatusNew}}
			return activities.OpenedTicket{Ticket: tkt, Created: true, Policy: models.DefaultPolicy(), TimeZone: "Asia/Shanghai"}, nil
		})
	h.env.OnWorkflow(Ticket, mock.Anything, mock.Anything).Return(TicketResult{Status: models.StatusClosed}, nil)
	staff := map[models.Role][]uint64{models.RoleCustomerService: {receiver}, models.RoleEstateManager: {manager}}
	h.env.OnActivity(st.Recipients, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecipientsInput) (activities.RecipientsResult, error) {
			return activities.RecipientsResult{StaffIDs: staff[in.Role]}, nil
		}).Maybe()
	h.env.OnActivity(sv.UnseenSurveyResponses, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.UnseenSurveyInput) (activities.UnseenSurveyResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.looks = append(h.looks, in.Seen)
			out := activities.UnseenSurveyResult{Responses: []models.SurveyResponse{}}
			for _, r := range h.stored {
				if !r.AnsweredAt.After(h.env.Now()) && !slices.Contains(in.Seen, r.ID) {
					out.Responses = append(out.Responses, r)
				}
			}
			return out, nil
		}).Maybe()
	return h
}

// save puts a response in the store at its AnsweredAt; signalled, the
// resident page's signal arrives too.
func (h *svHarness) save(r models.SurveyResponse, signalled bool) {
	h.stored = append(h.stored, r)
	if signalled {
		h.answer(r.AnsweredAt, SurveyAnswered{ResponseID: r.ID, HouseholdID: r.HouseholdID, ResidentID: r.ResidentID, Items: r.Items})
	}
}

func (h *svHarness) answer(when time.Time, a SurveyAnswered) {
	h.env.RegisterDelayedCallback(func() { h.env.SignalWorkflow(SurveyAnsweredSignal, a) }, when.Sub(h.start))
}

func (h *svHarness) do(when time.Time, label string, a SurveyAction) {
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(SurveyActionUpdate, "", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { h.errs[label] = err },
			OnComplete: func(_ any, err error) { h.errs[label] = err },
		}, a)
	}, when.Sub(h.start))
}

func (h *svHarness) run() SurveyResult {
	h.t.Helper()
	h.env.ExecuteWorkflow(Survey, h.in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		var pe *temporal.PanicError
		if errors.As(err, &pe) {
			h.t.Log(pe.StackTrace())
		}
		h.t.Fatalf("workflow error: %v", err)
	}
	var r SurveyResult
	if err := h.env.GetWorkflowResult(&r); err != nil {
		h.t.Fatal(err)
	}
	byRevision(h.records, func(r activities.SurveyRecordInput) uint64 { return r.CampaignID },
		func(r activities.SurveyRecordInput) int64 { return r.Progress.Revision })
	return r
}

func (h *svHarness) types() []string {
	var out []string
	for _, r := range h.records {
		out = append(out, r.Event.Type)
	}
	return out
}

func lowItems(repair int) []models.SurveyAnswerItem {
	return []models.SurveyAnswerItem{{QuestionID: "repair", Score: repair}, {QuestionID: "cleaning", Score: 4},
		{QuestionID: "security", Score: 4}, {QuestionID: "greening", Score: 4}, {QuestionID: "service", Score: 5}}
}

// TestSurveyCampaign: invitations wait for the sending hours and go in
// batches of the policy's size; reminders go at their times in the sending
// hours; a low answer opens a complaint ticket; the campaign closes at its
// closing.
func TestSurveyCampaign(t *testing.T) {
	in := surveyInput(LowOpens(models.LowOpensComplaint))
	start := time.Date(2026, 10, 5, 12, 0, 0, 0, shanghai)
	h := newSVHarness(t, in, start)
	at := func(d, hh, m int) time.Time { return time.Date(2026, 10, d, hh, m, 0, 0, shanghai) }
	h.answer(at(6, 10, 0), SurveyAnswered{ResponseID: 1, HouseholdID: 2, ResidentID: 20, Items: lowItems(5)})
	h.answer(at(7, 10, 0), SurveyAnswered{ResponseID: 2, HouseholdID: 3, ResidentID: 30, Items: lowItems(1)})
	h.answer(at(7, 10, 1), SurveyAnswered{ResponseID: 2, HouseholdID: 3, ResidentID: 30, Items: lowItems(1)}) // again: once
	h.do(at(8, 9, 0), "cancel open", SurveyAction{Action: SurveyCancel, ActorID: manager, ActorRole: models.RoleEstateManager, Reason: "x"})
	h.do(at(8, 9, 0), "close by desk", SurveyAction{Action: SurveyClose, ActorID: receiver, ActorRole: models.RoleCustomerService})
	r := h.run()

	if r.Status != models.SurveyClosed || r.Invited != 5 || r.Responded != 2 || len(r.TicketIDs) != 1 || r.TicketIDs[0] != 201 {
		t.Fatalf("result %+v", r)
	}
	// Opened at 21:00, invited at 09:00 next morning put off by the
	// campaign's jitter (changeSurveyInviteJitter): 3 batches of 2.
	rounds := map[int][]time.Time{}
	for i, b := range h.batches {
		rounds[b.Reminder] = append(rounds[b.Reminder], h.batchAt[i])
	}
	jitter := models.Jitter("survey-9", models.DefaultReleasePolicy().JitterWindow)
	if jitter == 0 {
		t.Fatal("survey-9 draws no jitter: the test would not tell")
	}
	if len(rounds[0]) != 3 || !rounds[0][0].Equal(at(6, 9, 0).Add(jitter)) {
		t.Fatalf("invitation batches at %v", rounds[0])
	}
	// Reminders 3 and 6 days after 21:00 fall outside the hours: 09:00.
	if len(rounds[1]) != 3 || !rounds[1][0].Equal(at(9, 9, 0)) || len(rounds[2]) != 3 || !rounds[2][0].Equal(at(12, 9, 0)) {
		t.Fatalf("reminder batches %v", rounds)
	}
	if len(h.opened) != 1 || h.opened[0].Kind != models.TicketComplaint || h.opened[0].HouseholdID != 3 ||
		h.opened[0].Key != "survey-9/response-2" {
		t.Fatalf("opened %+v", h.opened)
	}
	want := []string{"created", "opened", "invited", "answered", "answered", "reminded", "reminded", "closed"}
	if got := h.types(); len(got) != len(want) {
		t.Fatalf("events %v, want %v", got, want)
	} else {
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("events %v, want %v", got, want)
			}
		}
	}
	last := h.records[len(h.records)-1]
	if last.Progress.Status != models.SurveyClosed || last.Progress.ClosedAt == nil || !last.Progress.ClosedAt.Equal(in.Campaign.ClosesAt) {
		t.Fatalf("last progress %+v", last.Progress)
	}
	if errorType(h.errs["cancel open"]) != ErrTypeInvalidState || errorType(h.errs["close by desk"]) != ErrTypeForbidden {
		t.Fatalf("refusals %v", h.errs)
	}
}

// TestSurveyCallbacks: under the visit policy a low answer waits on the
// call-back list; a manager's close ends answers; the process ends once the
// call-back is recorded.
func TestSurveyCallbacks(t *testing.T) {
	in := surveyInput(LowOpens(models.LowOpensVisit))
	start := time.Date(2026, 10, 5, 12, 0, 0, 0, shanghai)
	h := newSVHarness(t, in, start)
	at := func(d, hh, m int) time.Time { return time.Date(2026, 10, d, hh, m, 0, 0, shanghai) }
	h.answer(at(6, 10, 0), SurveyAnswered{ResponseID: 1, HouseholdID: 4, ResidentID: 40, Items: lowItems(2)})
	h.do(at(7, 9, 0), "close", SurveyAction{Action: SurveyClose, ActorID: manager, ActorRole: models.RoleEstateManager, Reason: "样本已足够"})
	h.do(at(7, 10, 0), "callback wrong household", SurveyAction{Action: SurveyCallback, ActorID: receiver, ActorRole: models.RoleCustomerService, HouseholdID: 5})
	h.do(at(8, 10, 0), "callback", SurveyAction{Action: SurveyCallback, ActorID: receiver, ActorRole: models.RoleCustomerService, HouseholdID: 4, Note: "已上门沟通"})
	var mid SurveyView
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(SurveyStateQuery)
		if err == nil {
			err = v.Get(&mid)
		}
		if err != nil {
			t.Error(err)
		}
	}, at(7, 12, 0).Sub(start))
	r := h.run()
	if r.Status != models.SurveyClosed || len(r.TicketIDs) != 0 || len(h.opened) != 0 {
		t.Fatalf("result %+v, opened %v", r, h.opened)
	}
	if mid.Status != models.SurveyClosed || len(mid.Callbacks) != 1 || mid.Callbacks[0].DoneAt != nil || mid.Callbacks[0].QuestionIDs[0] != "repair" {
		t.Fatalf("view after close %+v", mid)
	}
	if errorType(h.errs["callback wrong household"]) != ErrTypeInvalidInput || h.errs["callback"] != nil || h.errs["close"] != nil {
		t.Fatalf("actions %v", h.errs)
	}
	// Customer service, who make the visits, and the creator are told;
	// done before the closing time, the call-back is not escalated.
	if len(h.sends) != 2 || h.sends[0].RecipientID != receiver || h.sends[0].Key != "survey-9/callback/response-1/staff-9" ||
		h.sends[1].RecipientID != manager || h.sends[1].Key != "survey-9/callback/response-1/staff-31" ||
		h.sends[0].Template != "followup_reminder" {
		t.Fatalf("sends %+v", h.sends)
	}
	if slices.Contains(h.types(), "callback_overdue") {
		t.Fatalf("events %v: a call-back done in time escalated", h.types())
	}
	last := h.records[len(h.records)-1]
	if last.Event.Type != "callback" || last.Progress.Callbacks[0].DoneAt == nil {
		t.Fatalf("last record %+v", last)
	}
	// Only the invitations went: the close came before any reminder.
	for _, b := range h.batches {
		if b.Reminder != 0 {
			t.Fatalf("a reminder after the close: %+v", b)
		}
	}
}

// errorType is the type of an update's refusal, "" for none.
func errorType(err error) string {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return ae.Type()
	}
	if err != nil {
		return "?" + err.Error()
	}
	return ""
}

// TestSurveyReconcilesLostAnswers: an answer saved but never signalled (the
// API crashed between the store and the signal) is found after the opening,
// before a reminder or before the close, and opens its complaint once; a
// signalled answer, found in the store again, is not handled twice.
func TestSurveyReconcilesLostAnswers(t *testing.T) {
	in := surveyInput(LowOpens(models.LowOpensComplaint))
	start := time.Date(2026, 10, 5, 12, 0, 0, 0, shanghai)
	h := newSVHarness(t, in, start)
	at := func(d, hh, m int) time.Time { return time.Date(2026, 10, d, hh, m, 0, 0, shanghai) }
	resp := func(id, household uint64, repair int, when time.Time) models.SurveyResponse {
		return models.SurveyResponse{ID: id, CampaignID: 9, HouseholdID: household, ResidentID: household * 10, Items: lowItems(repair), AnsweredAt: when}
	}
	// signalled: handled from the signal
	h.save(resp(1, 2, 1, at(6, 10, 0)), true)
	// lost: found before the reminder of the 9th
	h.save(resp(2, 3, 2, at(7, 10, 0)), false)
	// lost, not low: counted, nothing opened
	h.save(resp(3, 4, 5, at(10, 10, 0)), false)
	// lost after the last reminder: found before the close
	h.save(resp(4, 5, 1, at(13, 10, 0)), false)
	// A late signal of the answer found before the reminder: taken once.
	h.answer(at(13, 11, 0), SurveyAnswered{ResponseID: 2, HouseholdID: 3, ResidentID: 30, Items: lowItems(2)})
	r := h.run()

	if r.Status != models.SurveyClosed || r.Responded != 4 || len(r.TicketIDs) != 3 {
		t.Fatalf("result %+v, want closed with 4 responses and 3 complaints", r)
	}
	var keys []string
	for _, o := range h.opened {
		keys = append(keys, o.Key)
	}
	if want := []string{"survey-9/response-1", "survey-9/response-2", "survey-9/response-4"}; !slices.Equal(keys, want) {
		t.Fatalf("complaints opened %v, want %v (each once)", keys, want)
	}
	found := map[string]string{}
	for _, rec := range h.records {
		if rec.Event.Type == "answered" {
			found[rec.Event.Detail["response_id"]] = rec.Event.Detail["found"]
		}
	}
	if len(found) != 4 || found["1"] != "" || found["2"] != "store" || found["3"] != "store" || found["4"] != "store" {
		t.Fatalf("answered events by response (found): %v", found)
	}
	answered := 0
	for _, typ := range h.types() {
		if typ == "answered" {
			answered++
		}
	}
	if answered != 4 {
		t.Fatalf("events %v, want 4 answered", h.types())
	}
	last := h.records[len(h.records)-1]
	if last.Event.Type != "closed" || last.Event.Detail["responded"] != "4" {
		t.Fatalf("last record %+v, want the close counting the answer found before it", last.Event)
	}
	// After the opening, before each of the 2 reminders, before the close.
	if len(h.looks) != 4 || !slices.Equal(h.looks[1], []uint64{1}) || !slices.Equal(h.looks[3], []uint64{1, 2, 3}) {
		t.Fatalf("looks in the store (seen): %v", h.looks)
	}
}

// TestSurveyCallbackOverdue: a call-back still waiting at the campaign's
// closing time (the due date its message gave) is escalated once to the
// estate managers; the process ends when it is made.
func TestSurveyCallbackOverdue(t *testing.T) {
	in := surveyInput(LowOpens(models.LowOpensVisit))
	in.Campaign.CreatedBy = supervisor
	start := time.Date(2026, 10, 5, 12, 0, 0, 0, shanghai)
	h := newSVHarness(t, in, start)
	at := func(d, hh, m int) time.Time { return time.Date(2026, 10, d, hh, m, 0, 0, shanghai) }
	h.answer(at(6, 10, 0), SurveyAnswered{ResponseID: 1, HouseholdID: 4, ResidentID: 40, Items: lowItems(1)})
	h.answer(at(6, 11, 0), SurveyAnswered{ResponseID: 2, HouseholdID: 5, ResidentID: 50, Items: lowItems(2)})
	h.do(at(14, 10, 0), "one callback", SurveyAction{Action: SurveyCallback, ActorID: receiver, ActorRole: models.RoleCustomerService, HouseholdID: 5})
	h.do(at(17, 10, 0), "late callback", SurveyAction{Action: SurveyCallback, ActorID: receiver, ActorRole: models.RoleCustomerService, HouseholdID: 4})
	r := h.run()
	if r.Status != models.SurveyClosed || h.errs["one callback"] != nil || h.errs["late callback"] != nil {
		t.Fatalf("result %+v, actions %v", r, h.errs)
	}
	var overdue []activities.SendInput
	for _, m := range h.sends {
		if m.Template == "followup_overdue" {
			overdue = append(overdue, m)
		}
	}
	if len(overdue) != 2 || overdue[0].RecipientID != supervisor || overdue[1].RecipientID != manager ||
		overdue[1].Key != "survey-9/callbacks-overdue/staff-31" || overdue[1].Params["topic"] != "满意度低分回访 1户未完成" {
		t.Fatalf("overdue messages %+v, want the creator and the estate manager told of 1 household", overdue)
	}
	n := 0
	for _, rec := range h.records {
		if rec.Event.Type == "callback_overdue" {
			n++
			if rec.Event.Detail["households"] != "4" || !rec.Event.At.Equal(in.Campaign.ClosesAt) {
				t.Fatalf("overdue event %+v, want household 4 at the closing time", rec.Event)
			}
		}
	}
	if n != 1 {
		t.Fatalf("events %v, want one callback_overdue", h.types())
	}
}
