package app

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	enums "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/workflows"
)

// recordEnv turns TestRecordHistories on.
const recordEnv = "WUYE_RECORD_HISTORIES"

// historiesDir is where the replay test of package workflows finds them.
var historiesDir = filepath.Join("..", "workflows", "testdata")

// historyScenario drives processes through the HTTP API of a running
// service and names the workflows whose histories to keep.
//
// The table below is meant to grow: arrears collection and move-in follow-up
// scenarios go here beside the ticket ones, each with its own estate (a
// unique code) so that scenarios never see each other's records.
type historyScenario struct {
	// prefix names the files: <prefix>.json for the first workflow run
	// returns, <prefix>_2.json, <prefix>_3.json... for the others.
	prefix string
	// run drives the scenario and returns the IDs of the workflows to save,
	// each settled: closed, or running and waiting (no task or activity
	// under way).
	run func(t *testing.T, a *App) []string
}

func historyScenarios() []historyScenario {
	return []historyScenario{
		{"ticket_critical_repair", recordCriticalRepair},
		{"ticket_complaint_hold_cancel", recordComplaintHoldCancel},
		{"ticket_normal_open", recordNormalOpen},
		{"ticket_low_score_follow_up", recordLowScoreFollowUp},
		// Recorded after "notify-first-receiver-on-complete" (version 1); the
		// ones above stand for the code before it.
		{"ticket_completed_v1", recordCompletedV1},
		// Recorded after "resident-confirm-link" (version 1): the resident
		// rejects the work by link, then confirms the rework by link.
		{"ticket_resident_link_v1", recordResidentLinkV1},
		{"collection_paid", recordCollectionPaid},
		{"collection_promise_open", recordCollectionPromiseOpen},
		{"collection_reminding_open", recordCollectionReminding},
		{"billing_run", recordBillingRun},
		{"followup_visit_ticket_cancelled", recordFollowUpVisitTicketCancelled},
		{"followup_reminding_open", recordFollowUpRemindingOpen},
		// Recorded after "record-last-ticket-close" (follow-up, version 1),
		// "record-nudge-once" and "open-only-when-owed" (collection,
		// version 1).
		{"followup_visit_ticket_v1", recordFollowUpVisitTicketV1},
		{"collection_repeat_bill_v1", recordCollectionRepeatBillV1},
		{"collection_nothing_owed_v1", recordCollectionNothingOwedV1},
		// Recorded with every payload sealed (package codec, the test key
		// in workflows/testdata/payload_keys).
		{"ticket_critical_repair_sealed", recordCriticalRepair},
		{"followup_visit_ticket_sealed", recordFollowUpVisitTicketV1},
		// Recorded after "one-resident-sender" (collection, version 1,
		// in caseCore): a contact is recorded before its message leaves
		// the outbox.
		{"collection_paid_one_sender_v1", recordCollectionPaid},
		// Recorded after "collection-search-attributes" (collection,
		// version 1): each transition upserts the case's search attributes.
		{"collection_reminding_search_attributes_v1", recordCollectionReminding},
		// Recorded after "notice-delivery" (collection, version 1): the
		// notice waits for its recorded service.
		{"collection_notice_served_v1", recordCollectionNoticeServedV1},
		// Recorded after "resume-after-reversal" (collection, version 1):
		// the run a reversal starts carries the closed case's ladder on.
		{"collection_reversed_v1", recordCollectionReversedV1},
		// Recorded after "complaint-messages" (version 1): a walk-in's
		// complaint, reported by phone number only, hears 受理, 处理中, the
		// answer and 结案, answers by link and is visited.
		{"ticket_complaint_messages_v1", recordComplaintMessagesV1},
		// "collection_contact_delivered_v1", after "contact-delivered"
		// (collection, version 1), needs channel gateways of its own: see
		// TestRecordChannelHistory.
		// Recorded with the resident's own actions by link: the collection
		// action promise and the ticket's return visit by the resident.
		{"collection_resident_promise_v1", recordCollectionResidentPromiseV1},
		{"ticket_resident_rating_v1", recordResidentRatingV1},
		// Recorded after "one-ladder" (version 1): a critical repair nobody
		// attends reaches the supervisor at the contact breach, its on-site
		// breach is recorded at the same level, the estate manager comes
		// next; then it is worked to close.
		{"ticket_one_ladder_v1", recordOneLadderV1},
		// Inspections (巡检/维保): an occurrence with a finding rectified,
		// and its plan asleep until the next.
		{"inspection_finding_rectified", recordInspectionFindingRectified},
		// Service contracts: reminded, renewed, handed over.
		{"contract_renew_hand_over", recordContractRenewHandOver},
		// Recorded after "one-escalation" (version 1): the same critical
		// repair, each escalation one Escalate activity.
		{"ticket_one_escalation_v1", recordOneLadderV1},

		// Outages and notices; the outage's ticket is recorded after
		// "outage-link" (ticket, version 1): linked, it does not escalate.
		{"outage_restored_v1", recordOutageRestoredV1},
		{"notice_withdrawn", recordNoticeWithdrawn},
		// Satisfaction survey campaign (满意度调查): opened and invited.
		{"survey_invited_open", recordSurveyInvitedOpen},
		// An inspection plan revised (the revise update), then deactivated.
		{"inspection_plan_revised", recordInspectionPlanRevised},
		// Recorded after "survey-reconcile" (version 1): an answer whose
		// signal was lost is found in the store at the close.
		{"survey_lost_answer_v1", recordSurveyLostAnswerV1},
		// Recorded after "survey-callback-staff" (version 1): the same
		// scenario, its call-back told to customer service and the creator.
		{"survey_callback_staff_v1", recordSurveyLostAnswerV1},
		// Recorded after "release-rate" (collection, version 1): each
		// message to the resident draws its release slot and waits for it.
		{"collection_release_rate_v1", recordCollectionPaid},
		// Recorded after "billing-run-jitter" and "survey-invite-jitter"
		// (version 1): a run started by hand and a campaign whose jitter
		// window is a second put off nothing.
		{"billing_run_jitter_v1", recordBillingRun},
		{"survey_invite_jitter_v1", recordSurveyInviteJitterV1},
		// Recorded after "collection-one-escalation" (collection, version
		// 1): a call nobody records escalates twice, one Escalate activity
		// each, then the case is paid and closes.
		{"collection_task_escalated_v1", recordCollectionTaskEscalatedV1},
		// Recorded after "outage-one-escalation" (outage, version 1): an
		// outage not restored by its end escalates twice, one Escalate
		// activity each, then is restored.
		{"outage_escalated_v1", recordOutageEscalatedV1},
		// Recorded after "inspection-one-escalation" (inspection, version
		// 1): an occurrence missed escalates twice, one Escalate activity
		// each, then is completed.
		{"inspection_missed_escalated_v1", recordInspectionMissedEscalatedV1},
		// Recorded after "contract-one-escalation" (contract, version 1):
		// a contract recorded after its term ended undecided climbs three
		// levels, one Escalate activity each, then is handed over.
		{"contract_ended_undecided_v1", recordContractEndedUndecidedV1},
		// Recorded after "create-ahead" (plan, version 1): a plan whose
		// estate creates occurrences a minute ahead creates its first
		// within the minute before its start, then is deactivated.
		{"inspection_plan_create_ahead_v1", recordInspectionPlanCreateAheadV1},
		// Recorded after "local-db" (version 1, in every process): the
		// records and look-ups are local activities; a ticket up its ladder
		// to close, and a collection case paid.
		{"ticket_local_db_v1", recordOneLadderV1},
		{"collection_local_db_v1", recordCollectionPaid},
		// Recorded after "local-first" (version 1, in every process):
		// messages and escalations tried locally first.
		{"ticket_local_first_v1", recordOneLadderV1},
		{"collection_local_first_v1", recordCollectionPaid},
		// Recorded after "release-early" (collection, version 1): a
		// message's release slot is drawn (locally) as it is queued.
		{"collection_release_early_v1", recordCollectionPaid},
	}
}

// TestRecordHistories records workflow histories into workflows/testdata
// for the replay test. A history stands for the workflow code that wrote
// it: files already there are kept (they prove that today's code still
// replays what earlier versions did), only missing ones are recorded.
func TestRecordHistories(t *testing.T) {
	if os.Getenv(recordEnv) != "1" {
		t.Skip("records workflow histories only when WUYE_RECORD_HISTORIES=1; to record the missing ones " +
			"(delete a file to record it again): WUYE_RECORD_HISTORIES=1 GOTOOLCHAIN=local go test ./app -run TestRecordHistories")
	}
	if err := os.MkdirAll(historiesDir, 0o755); err != nil {
		t.Fatal(err)
	}
	a := startApp(t, testConfig(t, t.TempDir()))
	for _, sc := range historyScenarios() {
		t.Run(sc.prefix, func(t *testing.T) {
			if _, err := os.Stat(historyFile(sc.prefix, 0)); err == nil {
				t.Skipf("%s exists and stands for the version that wrote it; delete it to record it again", historyFile(sc.prefix, 0))
			}
			ids := sc.run(t, a)
			if len(ids) == 0 {
				t.Fatal("scenario named no workflow to save")
			}
			for i, id := range ids {
				settle(t, a.Temporal, id)
				saveHistory(t, a.Temporal, id, historyFile(sc.prefix, i))
			}
		})
	}
}

func historyFile(prefix string, i int) string {
	if i == 0 {
		return filepath.Join(historiesDir, prefix+".json")
	}
	return filepath.Join(historiesDir, fmt.Sprintf("%s_%d.json", prefix, i+1))
}

// settle waits until workflow id is closed, or running with nothing under
// way, so that its history ends at a completed workflow task.
func settle(t *testing.T, c client.Client, id string) {
	t.Helper()
	waitFor(t, 30*time.Second, "workflow "+id+" to settle", func() bool {
		d, err := c.DescribeWorkflowExecution(context.Background(), id, "")
		if err != nil {
			t.Fatalf("describe %s: %v", id, err)
		}
		if d.GetWorkflowExecutionInfo().GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
			return true
		}
		return d.GetPendingWorkflowTask() == nil && len(d.GetPendingActivities()) == 0
	})
}

// saveHistory fetches the whole history of workflow id and writes it as
// indented protojson, the format worker.WorkflowReplayer reads.
func saveHistory(t *testing.T, c client.Client, id, path string) {
	t.Helper()
	ctx := context.Background()
	hist := &historypb.History{}
	it := c.GetWorkflowHistory(ctx, id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", id, err)
		}
		hist.Events = append(hist.Events, e)
	}
	raw, err := protojson.Marshal(hist)
	if err != nil {
		t.Fatalf("encode history of %s: %v", id, err)
	}
	// protojson varies its whitespace on purpose; indenting the compact
	// form gives the same bytes for the same history.
	var compact, out bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		t.Fatal(err)
	}
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		t.Fatal(err)
	}
	out.WriteByte('\n')
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("saved %d events of %s to %s", len(hist.Events), id, path)
}

// ticketRecording is an estate with a second-scale policy, its staff and a
// resident, for ticket scenarios.
type ticketRecording struct {
	t        *testing.T
	a        *App
	estateID uint64
	as       map[models.Role]*apiClient
	ids      map[models.Role]uint64
	resident uint64
	house    uint64
}

// recordingPolicy shortens the critical repair tier and the complaint
// windows to seconds and turns quiet hours off, so that a scenario runs the
// same whatever the hour it is recorded at.
func recordingPolicy(p *models.Policy) {
	secondScaleRepairs(p)
	p.Complaint.Acknowledge = models.Duration(2 * time.Second)
	p.Complaint.Answer = models.Duration(time.Hour)
	p.Complaint.Resolve = models.Duration(2 * time.Hour)
	p.QuietHours = models.QuietHours{Start: "00:00", End: "00:00"}
}

func newTicketRecording(t *testing.T, a *App, code string) *ticketRecording {
	t.Helper()
	return newRecording(t, a, code, recordingPolicy)
}

// newRecording is an estate with the policy tune gives, its staff and one
// household with its owner.
func newRecording(t *testing.T, a *App, code string, tune func(*models.Policy)) *ticketRecording {
	t.Helper()
	r := &ticketRecording{t: t, a: a}
	r.estateID, r.as, r.ids = estateWithStaff(t, a, code, tune)
	admin := r.as[models.RoleCompanyAdmin]
	var building, unit, household, resident idOnly
	admin.mustCall(http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": r.estateID, "name": "1栋"}, &building, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": "101"}, &unit, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/households", map[string]any{"unit_id": unit.ID}, &household, http.StatusCreated)
	admin.mustCall(http.MethodPost, "/api/v1/residents", map[string]any{"household_id": household.ID, "name": "测试业主",
		"phone": "0571-00000000", "role": "owner"}, &resident, http.StatusCreated)
	r.house, r.resident = household.ID, resident.ID
	return r
}

// open reports a ticket at the desk; withResident ties it to the household
// and its resident, otherwise it is for a common area.
func (r *ticketRecording) open(kind models.TicketKind, u models.Urgency, withResident bool) uint64 {
	r.t.Helper()
	req := map[string]any{"estate_id": r.estateID, "kind": kind, "urgency": u, "category": "水电",
		"description": "录制用工单", "channel": "phone"}
	if withResident {
		req["household_id"], req["resident_id"] = r.house, r.resident
	} else {
		req["location"] = "2栋地下车库"
	}
	var tk idOnly
	r.as[models.RoleCustomerService].mustCall(http.MethodPost, "/api/v1/tickets", req, &tk, http.StatusCreated)
	return tk.ID
}

// act posts action on ticket id as role.
func (r *ticketRecording) act(id uint64, role models.Role, action string, body map[string]any) {
	r.t.Helper()
	r.as[role].mustCall(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/actions/%s", id, action), body, nil, http.StatusOK)
}

// waitEscalated waits until ticket id has reached role for milestone.
func (r *ticketRecording) waitEscalated(id uint64, m models.Milestone, role models.Role) {
	r.t.Helper()
	var d ticketDetail
	waitFor(r.t, 30*time.Second, fmt.Sprintf("escalation of %s to %s", m, role), func() bool {
		r.as[models.RoleCustomerService].mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil, &d, http.StatusOK)
		for _, e := range d.Escalations {
			if e.Detail["milestone"] == string(m) && e.Detail["role"] == string(role) {
				return true
			}
		}
		return false
	})
}

// workToClose takes a dispatched repair through the technician's visit,
// the resident's confirmation and the return visit with score.
func (r *ticketRecording) workToClose(id uint64, score int) {
	r.t.Helper()
	tech, desk := models.RoleTechnician, models.RoleCustomerService
	r.act(id, desk, workflows.ActDispatch, map[string]any{"assignee_id": r.ids[tech]})
	r.act(id, tech, workflows.ActAccept, nil)
	r.act(id, tech, workflows.ActContact, nil)
	r.act(id, tech, workflows.ActArrive, nil)
	r.act(id, tech, workflows.ActComplete, map[string]any{"summary": "更换阀门", "materials": "阀门1个", "charge_fen": 3500})
	r.act(id, desk, workflows.ActConfirm, map[string]any{"accepted": true})
	r.act(id, desk, workflows.ActReturnVisit, map[string]any{"score": score, "comments": "录制回访"})
}

// result waits for the ticket's workflow to end and checks its status.
func (r *ticketRecording) result(id uint64, want models.TicketStatus) workflows.TicketResult {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var res workflows.TicketResult
	if err := r.a.Temporal.GetWorkflow(ctx, workflows.TicketWorkflowID(id), "").Get(ctx, &res); err != nil {
		r.t.Fatalf("ticket %d: %v", id, err)
	}
	if res.Status != want {
		r.t.Fatalf("ticket %d: got %s, want %s", id, res.Status, want)
	}
	return res
}

// recordCriticalRepair: a critical repair nobody attends escalates to the
// supervisor; then it is dispatched, worked, confirmed and visited: closed.
func recordCriticalRepair(t *testing.T, a *App) []string {
	// The contact breach reaches the supervisor under one ladder and before
	// it (the on-site breach no longer does: it is recorded at level 1).
	return recordCriticalEscalated(t, a, "REC-CRIT", models.MilestoneContact, models.RoleSupervisor)
}

// recordCriticalEscalated: a critical repair nobody attends until it
// reached role for milestone m; then it is worked to close.
func recordCriticalEscalated(t *testing.T, a *App, code string, m models.Milestone, role models.Role) []string {
	r := newTicketRecording(t, a, code)
	id := r.open(models.TicketRepair, models.UrgencyCritical, true)
	r.waitEscalated(id, m, role)
	r.workToClose(id, 5)
	r.result(id, models.StatusClosed)
	return []string{workflows.TicketWorkflowID(id)}
}

// recordOneLadderV1: see historyScenarios.
func recordOneLadderV1(t *testing.T, a *App) []string {
	return recordCriticalEscalated(t, a, "REC-LADDER", models.MilestoneContact, models.RoleEstateManager)
}

// recordComplaintHoldCancel: a complaint escalates unacknowledged, is
// acknowledged, put on hold, resumed, noted and cancelled.
func recordComplaintHoldCancel(t *testing.T, a *App) []string {
	r := newTicketRecording(t, a, "REC-CMPL")
	id := r.open(models.TicketComplaint, models.UrgencyNormal, false)
	desk := models.RoleCustomerService
	r.waitEscalated(id, models.MilestoneAcknowledge, models.RoleSupervisor)
	r.act(id, desk, workflows.ActAcknowledge, nil)
	r.act(id, desk, workflows.ActHold, map[string]any{"hold_reason": models.HoldResidentAbsent})
	time.Sleep(1500 * time.Millisecond)
	r.act(id, desk, workflows.ActResume, nil)
	r.act(id, desk, workflows.ActNote, map[string]any{"note": "已与业主约定再次沟通"})
	r.act(id, models.RoleSupervisor, workflows.ActCancel, map[string]any{"reason": "业主撤回投诉"})
	r.result(id, models.StatusCancelled)
	return []string{workflows.TicketWorkflowID(id)}
}

// recordNormalOpen: a normal repair dispatched and accepted, left running
// with its warning and escalation timers pending.
func recordNormalOpen(t *testing.T, a *App) []string {
	r := newTicketRecording(t, a, "REC-OPEN")
	id := r.open(models.TicketRepair, models.UrgencyNormal, true)
	r.act(id, models.RoleCustomerService, workflows.ActDispatch, map[string]any{"assignee_id": r.ids[models.RoleTechnician]})
	r.act(id, models.RoleTechnician, workflows.ActAccept, nil)
	return []string{workflows.TicketWorkflowID(id)}
}

// recordLowScoreFollowUp: a low return-visit score opens a follow-up
// complaint as a child workflow; both histories are kept.
func recordLowScoreFollowUp(t *testing.T, a *App) []string {
	r := newTicketRecording(t, a, "REC-LOW")
	id := r.open(models.TicketRepair, models.UrgencyCritical, true)
	r.workToClose(id, 1)
	res := r.result(id, models.StatusClosed)
	if res.FollowUpID == 0 {
		t.Fatalf("ticket %d: got no follow-up complaint, want one for score 1", id)
	}
	return []string{workflows.TicketWorkflowID(id), workflows.TicketWorkflowID(res.FollowUpID)}
}

// recordCompletedV1: a critical repair worked to close once the first
// receiver is told of the completion, so that the replay test covers both
// sides of "notify-first-receiver-on-complete".
func recordCompletedV1(t *testing.T, a *App) []string {
	r := newTicketRecording(t, a, "REC-V1")
	id := r.open(models.TicketRepair, models.UrgencyCritical, true)
	r.workToClose(id, 4)
	r.result(id, models.StatusClosed)
	var d ticketDetail
	r.as[models.RoleCustomerService].mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil, &d, http.StatusOK)
	if !hasMessage(d.Messages, r.ids[models.RoleCustomerService], "ticket_completed") {
		t.Fatalf("ticket %d: got no ticket_completed to the first receiver, want one", id)
	}
	return []string{workflows.TicketWorkflowID(id)}
}

// recordResidentLinkV1: a critical repair whose resident answers by the
// signed link of the confirmation request: "still broken", then, after the
// rework, "fixed"; the return visit closes it.
func recordResidentLinkV1(t *testing.T, a *App) []string {
	r := newTicketRecording(t, a, "REC-LINK")
	id := r.open(models.TicketRepair, models.UrgencyCritical, true)
	r.workToComplete(id)
	first := r.confirmLink(id)
	if code, body := r.followLink(http.MethodPost, first, url.Values{"accepted": {"false"}}); code != http.StatusOK {
		t.Fatalf("reject by link: got %d %q", code, body)
	}
	r.act(id, models.RoleTechnician, workflows.ActComplete, map[string]any{"summary": "重新更换阀门"})
	var second string
	waitFor(t, 30*time.Second, "a new link for the rework", func() bool {
		second = r.confirmLink(id)
		return second != first
	})
	if code, body := r.followLink(http.MethodPost, second, url.Values{"accepted": {"true"}}); code != http.StatusOK {
		t.Fatalf("confirm by link: got %d %q", code, body)
	}
	r.act(id, models.RoleCustomerService, workflows.ActReturnVisit, map[string]any{"score": 5})
	r.result(id, models.StatusClosed)
	return []string{workflows.TicketWorkflowID(id)}
}

// recordComplaintMessagesV1: a complaint reported with the reporter's phone
// only (a contact is recorded for it) is acknowledged, answered and
// resolved; the contact confirms the close by the link and the return visit
// closes it. The contact gets every complaint message, the answer's text
// included.
func recordComplaintMessagesV1(t *testing.T, a *App) []string {
	r := newTicketRecording(t, a, "REC-CMSG")
	desk := models.RoleCustomerService
	var tk struct {
		ID         uint64  `json:"id"`
		ResidentID *uint64 `json:"resident_id"`
	}
	r.as[desk].mustCall(http.MethodPost, "/api/v1/tickets", map[string]any{"estate_id": r.estateID, "kind": models.TicketComplaint,
		"urgency": models.UrgencyNormal, "category": "噪音", "description": "夜间施工噪音", "channel": "walk_in",
		"location": "2栋大堂", "reporter_phone": "13700001111", "reporter_name": "王先生"}, &tk, http.StatusCreated)
	if tk.ResidentID == nil || *tk.ResidentID == r.resident {
		t.Fatalf("ticket %d: got resident %v, want a contact of its own", tk.ID, tk.ResidentID)
	}
	id, contact := tk.ID, *tk.ResidentID
	const answer = "已联系施工方，22点后停止施工。"
	// The desk acknowledges once the report is on record: an update that
	// reaches a ticket's first workflow task runs before its start.
	var d ticketDetail
	waitFor(t, 30*time.Second, "the complaint's 受理 message", func() bool {
		r.as[desk].mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil, &d, http.StatusOK)
		return len(d.Messages) > 0
	})
	r.act(id, desk, workflows.ActAcknowledge, nil)
	r.act(id, desk, workflows.ActAnswer, map[string]any{"note": answer})
	r.act(id, desk, workflows.ActComplete, map[string]any{"summary": "施工方已调整作业时间"})
	link := r.linkIn(id, "complaint_closed", contact)
	if code, body := r.followLink(http.MethodPost, link, url.Values{"accepted": {"true"}}); code != http.StatusOK {
		t.Fatalf("confirm by link: got %d %q", code, body)
	}
	r.act(id, desk, workflows.ActReturnVisit, map[string]any{"score": 4, "comments": "满意"})
	r.result(id, models.StatusClosed)
	r.as[desk].mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil, &d, http.StatusOK)
	var got []string
	slices.SortFunc(d.Messages, func(x, y models.Message) int { return cmp.Compare(x.ID, y.ID) })
	for _, m := range d.Messages {
		if m.RecipientKind == models.RecipientResident && m.RecipientID == contact {
			got = append(got, m.Template)
			if m.Template == "complaint_answer" && !bytes.Contains([]byte(m.Body), []byte(answer)) {
				t.Errorf("answer message: got %q, want the answer's text", m.Body)
			}
		}
	}
	if want := []string{"complaint_received", "complaint_in_progress", "complaint_answer", "complaint_closed"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("messages to the contact: got %v, want %v", got, want)
	}
	return []string{workflows.TicketWorkflowID(id)}
}

// recordResidentRatingV1: the resident confirms the repair by a confirm
// link and rates it 4 there, the rating being the ticket's return visit by
// the resident.
func recordResidentRatingV1(t *testing.T, a *App) []string {
	r := newTicketRecording(t, a, "REC-RATE")
	id := r.open(models.TicketRepair, models.UrgencyCritical, true)
	r.workToComplete(id)
	link := r.link(models.LinkConfirm, id)
	if code, body := r.followLink(http.MethodPost, link, url.Values{"accepted": {"true"}, "score": {"4"}, "comments": {"及时"}}); code != http.StatusOK || !strings.Contains(body, "评价已提交") {
		t.Fatalf("confirm and rate by link: got %d %q", code, body)
	}
	r.result(id, models.StatusClosed)
	return []string{workflows.TicketWorkflowID(id)}
}
