package app

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/workflows"
)

// estateWithStaff creates an estate through the API with a policy of
// second-scale windows and one account of each role the test needs.
func estateWithStaff(t *testing.T, a *App, code string, tune func(*models.Policy)) (estateID uint64, accounts map[models.Role]*apiClient, ids map[models.Role]uint64) {
	t.Helper()
	admin := signIn(t, a, "admin", e2ePassword)
	var estate idOnly
	admin.mustCall(http.MethodPost, "/api/v1/estates", map[string]any{"code": code, "name": "测试小区 " + code}, &estate, http.StatusCreated)
	var pol models.EstatePolicy
	path := fmt.Sprintf("/api/v1/estates/%d/policy", estate.ID)
	admin.mustCall(http.MethodGet, path, nil, &pol, http.StatusOK)
	tune(&pol.Policy)
	admin.mustCall(http.MethodPut, path, map[string]any{"version": pol.Version, "policy": pol.Policy}, nil, http.StatusOK)
	accounts, ids = map[models.Role]*apiClient{models.RoleCompanyAdmin: admin}, map[models.Role]uint64{}
	for _, role := range []models.Role{models.RoleCustomerService, models.RoleTechnician, models.RoleSupervisor, models.RoleEstateManager, models.RoleFinance} {
		var st idOnly
		user := fmt.Sprintf("%s-%s", code, role)
		admin.mustCall(http.MethodPost, "/api/v1/staff", map[string]any{"estate_id": estate.ID, "username": user, "name": user,
			"role": role, "password": "one-time-password"}, &st, http.StatusCreated)
		ids[role] = st.ID
		accounts[role] = firstSignIn(t, a, user, "one-time-password", "staff-password")
	}
	return estate.ID, accounts, ids
}

func secondScaleRepairs(p *models.Policy) {
	for i := range p.Repair.Tiers {
		if p.Repair.Tiers[i].Urgency == models.UrgencyCritical {
			p.Repair.Tiers[i].Contact = models.Duration(2 * time.Second)
			p.Repair.Tiers[i].OnSite = models.Duration(3 * time.Second)
			p.Repair.Tiers[i].Complete = models.Duration(time.Hour)
		}
	}
	p.Repair.WarnAtPercent = 50
	p.Escalation.Levels = []models.EscalationLevel{
		{Level: 1, Role: models.RoleSupervisor, After: 0},
		{Level: 2, Role: models.RoleEstateManager, After: models.Duration(4 * time.Second)},
		{Level: 3, Role: models.RoleCompanyAdmin, After: models.Duration(time.Hour)},
	}
}

type ticketDetail struct {
	Ticket struct {
		ID     uint64              `json:"id"`
		Status models.TicketStatus `json:"status"`
	} `json:"ticket"`
	Process *struct {
		Status    models.TicketStatus `json:"status"`
		Deadlines []struct {
			Milestone models.Milestone `json:"milestone"`
			Done      bool             `json:"done"`
		} `json:"deadlines"`
	} `json:"process"`
	Escalations []models.CaseEvent `json:"escalations"`
	Messages    []models.Message   `json:"messages"`
}

// TestCriticalTicketEscalatesUntilSomeoneArrives: a critical ticket nobody
// attends climbs to the supervisor (who is told), and once a technician
// contacts the resident and arrives, it climbs no further.
func TestCriticalTicketEscalatesUntilSomeoneArrives(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	estateID, as, ids := estateWithStaff(t, a, "CRIT", secondScaleRepairs)
	desk := as[models.RoleCustomerService]

	req := map[string]any{"estate_id": estateID, "kind": "repair", "urgency": "critical", "category": "水管",
		"description": "地下车库水管爆裂", "location": "2栋地下车库", "channel": "phone"}
	var tk idOnly
	desk.mustCall(http.MethodPost, "/api/v1/tickets", req, &tk, http.StatusCreated)
	path := fmt.Sprintf("/api/v1/tickets/%d", tk.ID)

	// Nobody comes: the contact deadline passes and the supervisor is told
	// (the on-site breach after it is recorded at the same level).
	var d ticketDetail
	waitFor(t, 30*time.Second, "escalation to the supervisor", func() bool {
		desk.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		for _, e := range d.Escalations {
			if e.Detail["role"] == string(models.RoleSupervisor) { // the first breach, contact, climbs the ladder
				return hasMessage(d.Messages, ids[models.RoleSupervisor], "escalation")
			}
		}
		return false
	})
	for _, e := range d.Escalations {
		if due, err := time.Parse(time.RFC3339, e.Detail["due"]); err == nil && e.At.Before(due) {
			t.Errorf("escalation %v at %v: before the deadline it answers (%v)", e.Detail, e.At, due)
		}
	}

	// A finance clerk may not dispatch; accepting before dispatch is refused
	// with the state. Both reasons are the process's own, in Chinese, as
	// its update validator wrote them: not the API's general line.
	var refused struct {
		Error struct{ Code, State, Message string } `json:"error"`
	}
	if got := as[models.RoleFinance].call(http.MethodPost, path+"/actions/dispatch", map[string]any{"assignee_id": ids[models.RoleTechnician]}, &refused); got != http.StatusForbidden ||
		!strings.Contains(refused.Error.Message, "不能对此工单执行 dispatch 操作") {
		t.Errorf("dispatch by finance: got %d %+v, want 403 with the process's reason", got, refused)
	}
	refused.Error.Message = ""
	if got := as[models.RoleTechnician].call(http.MethodPost, path+"/actions/accept", nil, &refused); got != http.StatusConflict ||
		refused.Error.State == "" || refused.Error.Message != "工单在当前状态下不能执行此操作" {
		t.Errorf("accept before dispatch: got %d %+v, want 409 with the current state and the process's reason", got, refused)
	}

	desk.mustCall(http.MethodPost, path+"/actions/dispatch", map[string]any{"assignee_id": ids[models.RoleTechnician]}, nil, http.StatusOK)
	tech := as[models.RoleTechnician]
	tech.mustCall(http.MethodPost, path+"/actions/accept", nil, nil, http.StatusOK)
	tech.mustCall(http.MethodPost, path+"/actions/contact", nil, nil, http.StatusOK)
	tech.mustCall(http.MethodPost, path+"/actions/arrive", nil, nil, http.StatusOK)

	desk.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
	before := len(d.Escalations)
	// Level 2 would come 4 s after level 1: wait past it and find nothing new.
	time.Sleep(6 * time.Second)
	desk.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
	if len(d.Escalations) != before {
		t.Errorf("escalations after arrival: got %d, want still %d: %+v", len(d.Escalations), before, d.Escalations[before:])
	}
	if d.Process == nil {
		t.Fatal("process state: got none, want the live state")
	}
	for _, dl := range d.Process.Deadlines {
		if (dl.Milestone == models.MilestoneOnSite || dl.Milestone == models.MilestoneContact) && !dl.Done {
			t.Errorf("deadline %s: got not done, want done after arrival", dl.Milestone)
		}
	}
}

// TestTicketCreateIsIdempotent: the same Idempotency-Key twice is one ticket
// and one process.
func TestTicketCreateIsIdempotent(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	estateID, as, _ := estateWithStaff(t, a, "IDEM", func(*models.Policy) {})
	desk := as[models.RoleCustomerService]
	req := map[string]any{"estate_id": estateID, "kind": "repair", "urgency": "normal", "category": "门窗",
		"description": "窗户关不上", "location": "物业办公室", "channel": "walk_in"}
	first := desk.callWithKey(http.MethodPost, "/api/v1/tickets", "create-42", req)
	second := desk.callWithKey(http.MethodPost, "/api/v1/tickets", "create-42", req)
	if first.status != http.StatusCreated || second.status != http.StatusOK || first.id != second.id {
		t.Errorf("same key twice: got %d #%d then %d #%d, want 201 then 200 with the same ticket", first.status, first.id, second.status, second.id)
	}
	var list struct {
		Total int `json:"total"`
	}
	desk.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets?estate_id=%d", estateID), nil, &list, http.StatusOK)
	if list.Total != 1 {
		t.Errorf("tickets after two identical creates: got %d, want 1", list.Total)
	}
}

func hasMessage(msgs []models.Message, staffID uint64, template string) bool {
	for _, m := range msgs {
		if m.RecipientKind == models.RecipientStaff && m.RecipientID == staffID && m.Template == template {
			return true
		}
	}
	return false
}

func waitFor(t *testing.T, limit time.Duration, what string, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", limit, what)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// TestResidentConfirmsByLinkEndToEnd: a completed repair's confirmation
// message to the resident carries a signed link; the resident opens it,
// confirms, and the ticket moves on to the return visit. The link then
// answers that it has been used.
func TestResidentConfirmsByLinkEndToEnd(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	r := newTicketRecording(t, a, "LINK")
	id := r.open(models.TicketRepair, models.UrgencyCritical, true)
	r.workToComplete(id)
	link := r.confirmLink(id)
	if code, body := r.followLink(http.MethodGet, link, nil); code != http.StatusOK || !strings.Contains(body, "确认完成") || !strings.Contains(body, "仍有问题") {
		t.Fatalf("open the link: got %d %q, want the page with both answers", code, body)
	}
	if code, body := r.followLink(http.MethodPost, link, url.Values{"accepted": {"true"}}); code != http.StatusOK || !strings.Contains(body, "感谢") {
		t.Fatalf("confirm: got %d %q, want thanks", code, body)
	}
	var d ticketDetail
	r.as[models.RoleCustomerService].mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil, &d, http.StatusOK)
	if d.Process == nil || d.Process.Status != models.StatusReturnVisit {
		t.Errorf("after the resident's confirmation: got process %+v, want return_visit", d.Process)
	}
	if code, _ := r.followLink(http.MethodPost, link, url.Values{"accepted": {"true"}}); code != http.StatusConflict {
		t.Errorf("the link again: got %d, want 409", code)
	}
	if code, _ := r.followLink(http.MethodGet, link+"x", nil); code != http.StatusBadRequest {
		t.Errorf("a changed link: got %d, want 400", code)
	}
}

// workToComplete takes a dispatched repair through the technician's visit
// to its completion.
func (r *ticketRecording) workToComplete(id uint64) {
	r.t.Helper()
	tech, desk := models.RoleTechnician, models.RoleCustomerService
	r.act(id, desk, workflows.ActDispatch, map[string]any{"assignee_id": r.ids[tech]})
	r.act(id, tech, workflows.ActAccept, nil)
	r.act(id, tech, workflows.ActArrive, nil)
	r.act(id, tech, workflows.ActComplete, map[string]any{"summary": "更换阀门", "charge_fen": 0})
}

var confirmLinkRE = regexp.MustCompile(`https?://[^/\s]+(/r/confirm\?t=[A-Za-z0-9._-]+)`)

// confirmLink waits for ticket id's latest confirmation request to the
// resident and returns the path and query of the link in its body.
func (r *ticketRecording) confirmLink(id uint64) string {
	r.t.Helper()
	return r.linkIn(id, "ticket_done_confirm", r.resident)
}

// linkIn is the signed link of the latest message template sent to
// resident about ticket id, once there is one.
func (r *ticketRecording) linkIn(id uint64, template string, resident uint64) string {
	r.t.Helper()
	var d ticketDetail
	var link string
	waitFor(r.t, 30*time.Second, "the confirmation request with its link", func() bool {
		r.as[models.RoleCustomerService].mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil, &d, http.StatusOK)
		var latest uint64
		for _, m := range d.Messages {
			if sub := confirmLinkRE.FindStringSubmatch(m.Body); m.Template == template && m.RecipientID == resident && sub != nil && m.ID > latest {
				link, latest = sub[1], m.ID
			}
		}
		return link != ""
	})
	return link
}

// followLink opens link on the app as the resident's browser would: GET,
// or POST of its form with the link's token and answer.
func (r *ticketRecording) followLink(method, link string, answer url.Values) (int, string) {
	r.t.Helper()
	base := "http://" + r.a.Addr()
	var resp *http.Response
	var err error
	if method == http.MethodGet {
		resp, err = http.Get(base + link)
	} else {
		u, perr := url.Parse(link)
		if perr != nil {
			r.t.Fatal(perr)
		}
		answer.Set("t", u.Query().Get("t"))
		resp, err = http.PostForm(base+u.Path, answer)
	}
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}
