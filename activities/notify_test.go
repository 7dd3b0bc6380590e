package activities_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

const notifySecret = "gateway-secret-0123456789"

// smsGateway answers the webhook with the next status of its script (200
// once the script is used up) and keeps each request.
type smsGateway struct {
	t        *testing.T
	mu       sync.Mutex
	script   []int
	bodies   [][]byte
	statuses []int
}

func (g *smsGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	mac := hmac.New(sha256.New, []byte(notifySecret))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if got := r.Header.Get("X-Wuye-Signature"); !hmac.Equal([]byte(got), []byte(want)) {
		g.t.Errorf("signature: got %q, want %q", got, want)
	}
	var p struct{ Key string }
	if err := json.Unmarshal(body, &p); err != nil || r.Header.Get("X-Wuye-Key") != p.Key || r.Header.Get("Idempotency-Key") != p.Key {
		g.t.Errorf("key headers: got %q and %q for body key %q (%v)", r.Header.Get("X-Wuye-Key"), r.Header.Get("Idempotency-Key"), p.Key, err)
	}
	g.mu.Lock()
	status := http.StatusOK
	if len(g.script) > 0 {
		status, g.script = g.script[0], g.script[1:]
	}
	g.bodies, g.statuses = append(g.bodies, body), append(g.statuses, status)
	g.mu.Unlock()
	w.WriteHeader(status)
}

func (g *smsGateway) posts() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.bodies)
}

func (g *smsGateway) delivered() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, s := range g.statuses {
		if s/100 == 2 {
			n++
		}
	}
	return n
}

type notifyFixture struct {
	store    *store.Store
	gateway  *smsGateway
	env      *testsuite.TestActivityEnvironment
	notifier *activities.Notifier
	estate   models.Estate
	resident models.Resident
	staff    models.Staff
	boss     models.Staff
}

func newNotifyFixture(t *testing.T) *notifyFixture {
	t.Helper()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s := storetest.SQLite(t, storetest.Options{Now: clock})
	ctx, all := context.Background(), store.AllEstates()
	f := &notifyFixture{store: s, gateway: &smsGateway{t: t}}
	f.estate = models.Estate{Code: "YG", Name: "阳光花园", TimeZone: "Asia/Shanghai", ServicePhone: "0571-88886666"}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateEstate(ctx, &f.estate, models.DefaultPolicy(), nil))
	b := models.Building{EstateID: f.estate.ID, Name: "1栋"}
	must(s.CreateBuilding(ctx, all, &b))
	u := models.Unit{BuildingID: b.ID, Number: "2-502"}
	must(s.CreateUnit(ctx, all, &u))
	h := models.Household{UnitID: u.ID}
	must(s.CreateHousehold(ctx, all, &h))
	f.resident = models.Resident{HouseholdID: h.ID, Name: "张三", Phone: "13812345678", Role: models.ResidentOwner}
	must(s.CreateResident(ctx, all, &f.resident))
	f.staff = models.Staff{EstateID: &f.estate.ID, Username: "zhuguan", Name: "王主管", Phone: "13900001111", Role: models.RoleSupervisor, PasswordHash: "h", Active: true}
	must(s.CreateStaff(ctx, all, &f.staff))
	f.boss = models.Staff{Username: "boss", Name: "总经理", Phone: "13900002222", Role: models.RoleCompanyAdmin, PasswordHash: "h", Active: true}
	must(s.CreateStaff(ctx, all, &f.boss))

	srv := httptest.NewServer(f.gateway)
	t.Cleanup(srv.Close)
	f.notifier = &activities.Notifier{
		Store:   s,
		Channel: notify.WebhookChannel{URL: srv.URL + "/sms", Secret: notifySecret, Client: srv.Client()},
		Now:     clock,
		Log:     slog.New(slog.DiscardHandler),
	}
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	f.env = suite.NewTestActivityEnvironment()
	f.env.RegisterActivity(f.notifier)
	return f
}

func (f *notifyFixture) send(in activities.SendInput) (activities.SendResult, error) {
	var res activities.SendResult
	val, err := f.env.ExecuteActivity(f.notifier.Send, in)
	if err != nil {
		return res, err
	}
	return res, val.Get(&res)
}

func (f *notifyFixture) received(in activities.SendInput) activities.SendInput {
	in.EstateID, in.RecipientKind, in.RecipientID = f.estate.ID, models.RecipientResident, f.resident.ID
	in.Template, in.Ref = notify.TemplateTicketReceived, "ticket:12"
	in.Params = map[string]string{"estate": f.estate.Name, "ticket_no": "T-12", "service_phone": f.estate.ServicePhone}
	return in
}

// appError returns err's application error, failing the test without one.
func appError(t *testing.T, err error) *temporal.ApplicationError {
	t.Helper()
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want an application error", err)
	}
	return ae
}

func TestNotifierSendsOnce(t *testing.T) {
	f := newNotifyFixture(t)
	ctx := context.Background()
	in := f.received(activities.SendInput{Key: "ticket-12/received"})

	got, err := f.send(in)
	if err != nil {
		t.Fatalf("first send: %v", err)
	}
	if got.MessageID == 0 || got.Status != models.MessageSent || got.Attempts != 1 {
		t.Errorf("first send: got %+v, want message sent in 1 attempt", got)
	}
	if f.gateway.posts() != 1 {
		t.Fatalf("posts: got %d, want 1", f.gateway.posts())
	}
	var payload notify.WebhookPayload
	if err := json.Unmarshal(f.gateway.bodies[0], &payload); err != nil {
		t.Fatal(err)
	}
	if payload.To != "13812345678" || !strings.Contains(payload.Body, "您的报修已受理") || !strings.Contains(payload.Body, "T-12") {
		t.Errorf("payload: got %+v, want the clear phone and the rendered text", payload)
	}

	m, err := f.store.Message(ctx, store.AllEstates(), got.MessageID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Address != "138****5678" || m.Channel != notify.ChannelWebhook || m.Ref != "ticket:12" || m.SentAt == nil ||
		m.Body != payload.Body || strings.Contains(m.Body, "13812345678") {
		t.Errorf("record: got %+v, want the masked address, the channel, the ref, the sent time and the body as sent", m)
	}

	again, err := f.send(in)
	if err != nil {
		t.Fatalf("same key again: %v", err)
	}
	if again != got || f.gateway.posts() != 1 {
		t.Errorf("same key again: got %+v after %d posts, want %+v and still 1 post", again, f.gateway.posts(), got)
	}
	attempts, err := f.store.MessageAttempts(ctx, got.MessageID)
	if err != nil || len(attempts) != 1 || !attempts[0].OK {
		t.Errorf("attempts: got %+v, %v, want one successful attempt", attempts, err)
	}
}

func TestNotifierRetriesAFailedDelivery(t *testing.T) {
	f := newNotifyFixture(t)
	ctx := context.Background()
	f.gateway.script = []int{http.StatusInternalServerError, http.StatusOK}
	in := f.received(activities.SendInput{Key: "ticket-12/received"})

	_, err := f.send(in)
	if ae := appError(t, err); ae.NonRetryable() || ae.Type() != activities.ErrTypeNotifyFailed {
		t.Fatalf("on a 500: got %v (type %s, non-retryable %v), want a retryable %s", err, ae.Type(), ae.NonRetryable(), activities.ErrTypeNotifyFailed)
	}
	if strings.Contains(err.Error(), "13812345678") {
		t.Errorf("error %q carries the resident's phone", err)
	}
	list, err := f.store.Messages(ctx, store.AllEstates(), store.MessageFilter{Ref: "ticket:12"}, store.Page{})
	if err != nil || list.Total != 1 || list.Items[0].Status != models.MessageFailed || list.Items[0].LastError == "" {
		t.Fatalf("after the 500: got %+v, %v, want one failed message with its error", list.Items, err)
	}

	// Temporal retries the activity.
	got, err := f.send(in)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if got.Status != models.MessageSent || got.Attempts != 2 {
		t.Errorf("retry: got %+v, want sent after 2 attempts", got)
	}
	attempts, err := f.store.MessageAttempts(ctx, got.MessageID)
	if err != nil || len(attempts) != 2 || attempts[0].OK || !attempts[1].OK || attempts[0].Error == "" {
		t.Errorf("attempts: got %+v, %v, want a failure then a success", attempts, err)
	}
	if f.gateway.posts() != 2 || f.gateway.delivered() != 1 {
		t.Errorf("gateway: got %d posts and %d deliveries, want 2 and 1", f.gateway.posts(), f.gateway.delivered())
	}
}

func TestNotifierRejections(t *testing.T) {
	f := newNotifyFixture(t)
	f.gateway.script = []int{http.StatusBadRequest}

	_, err := f.send(f.received(activities.SendInput{Key: "ticket-13/received"}))
	if ae := appError(t, err); !ae.NonRetryable() || ae.Type() != activities.ErrTypeNotifyRejected {
		t.Errorf("on a 400: got %v, want a non-retryable %s", err, activities.ErrTypeNotifyRejected)
	}
	list, err := f.store.Messages(context.Background(), store.AllEstates(), store.MessageFilter{Status: models.MessageFailed}, store.Page{})
	if err != nil || list.Total != 1 || list.Items[0].Attempts != 1 {
		t.Errorf("after a 400: got %+v, %v, want the failed message on record", list.Items, err)
	}

	staffOnly := map[string]string{"ticket_no": "T-12", "summary": "厨房漏水", "stage": "到场", "due": "10:15", "level": "2"}
	tests := []struct {
		name string
		give activities.SendInput
	}{
		{"no key", f.received(activities.SendInput{})},
		{"unknown template", activities.SendInput{Key: "k1", EstateID: f.estate.ID, RecipientKind: models.RecipientResident, RecipientID: f.resident.ID, Template: "nope"}},
		{"staff template to a resident", activities.SendInput{Key: "k2", EstateID: f.estate.ID, RecipientKind: models.RecipientResident, RecipientID: f.resident.ID, Template: notify.TemplateEscalation, Params: staffOnly}},
		{"missing param", activities.SendInput{Key: "k3", EstateID: f.estate.ID, RecipientKind: models.RecipientStaff, RecipientID: f.staff.ID, Template: notify.TemplateEscalation}},
		{"unknown resident", func() activities.SendInput {
			in := f.received(activities.SendInput{Key: "k4"})
			in.RecipientID = 999
			return in
		}()},
		{"resident of another estate", func() activities.SendInput {
			in := f.received(activities.SendInput{Key: "k5"})
			in.EstateID++
			return in
		}()},
		{"key of another message", func() activities.SendInput {
			in := f.received(activities.SendInput{Key: "ticket-13/received"})
			in.RecipientKind, in.RecipientID, in.Template, in.Params = models.RecipientStaff, f.staff.ID, notify.TemplateEscalation, staffOnly
			return in
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			posts := f.gateway.posts()
			_, err := f.send(tt.give)
			if ae := appError(t, err); !ae.NonRetryable() || ae.Type() != activities.ErrTypeNotifyInvalid {
				t.Errorf("got %v, want a non-retryable %s", err, activities.ErrTypeNotifyInvalid)
			}
			if f.gateway.posts() != posts {
				t.Errorf("posts: got %d, want none for invalid input", f.gateway.posts()-posts)
			}
		})
	}
}

func TestNotifierEscalatesToStaff(t *testing.T) {
	f := newNotifyFixture(t)
	params := map[string]string{"ticket_no": "T-12", "summary": "厨房漏水", "stage": "到场", "due": "10:15", "level": "3"}
	// Company-level staff receive escalations of every estate.
	for _, st := range []models.Staff{f.staff, f.boss} {
		in := activities.SendInput{Key: "ticket-12/escalate/" + st.Username, EstateID: f.estate.ID, RecipientKind: models.RecipientStaff,
			RecipientID: st.ID, Template: notify.TemplateEscalation, Params: params, Ref: "ticket:12"}
		got, err := f.send(in)
		if err != nil {
			t.Fatalf("escalate to %s: %v", st.Username, err)
		}
		m, err := f.store.Message(context.Background(), store.Estates(f.estate.ID), got.MessageID)
		if err != nil || m.Address != st.Phone || !strings.Contains(m.Body, "已超时，升级至您处理") {
			t.Errorf("escalation to %s: got %+v, %v, want the staff phone and the escalation text", st.Username, m, err)
		}
	}
	if f.gateway.posts() != 2 {
		t.Errorf("posts: got %d, want 2", f.gateway.posts())
	}
}

// newLinkedNotifyFixture is newNotifyFixture with a notifier that signs
// the links residents answer through.
func newLinkedNotifyFixture(t *testing.T) (*notifyFixture, *auth.Links) {
	t.Helper()
	f := newNotifyFixture(t)
	links, err := auth.NewLinks([]byte(strings.Repeat("k", auth.MinLinkSecret)), "https://wuye.example.com")
	if err != nil {
		t.Fatal(err)
	}
	f.notifier.Links = links
	return f, links
}

// TestNotifierSignsTheConfirmLink: a request to confirm a repair that gives
// the window's end carries the signed link where the resident answers.
func TestNotifierSignsTheConfirmLink(t *testing.T) {
	f, links := newLinkedNotifyFixture(t)
	until := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	in := activities.SendInput{Key: "ticket-12/6/ticket_done_confirm/resident", EstateID: f.estate.ID, RecipientKind: models.RecipientResident,
		RecipientID: f.resident.ID, Template: notify.TemplateTicketDoneConfirm, Ref: "ticket:12",
		Params: map[string]string{"estate": f.estate.Name, "ticket_no": "12", "confirm_by": "11-26 18:00", "confirm_until": strconv.FormatInt(until.Unix(), 10)}}
	got, err := f.send(in)
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.store.Message(context.Background(), store.Estates(f.estate.ID), got.MessageID)
	if want := links.ConfirmURL(12, until); err != nil || !strings.HasSuffix(m.Body, want) {
		t.Errorf("body: got %q, %v, want it to end with %s", m.Body, err, want)
	}
}

// TestNotifierSignsTheComplaintCloseLink: a complaint's close (结案)
// carries the same link, where the complainant accepts or objects.
func TestNotifierSignsTheComplaintCloseLink(t *testing.T) {
	f, links := newLinkedNotifyFixture(t)
	until := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	in := activities.SendInput{Key: "ticket-12/6/complaint_closed/resident", EstateID: f.estate.ID, RecipientKind: models.RecipientResident,
		RecipientID: f.resident.ID, Template: notify.TemplateComplaintClosed, Ref: "ticket:12",
		Params: map[string]string{"estate": f.estate.Name, "ticket_no": "12", "confirm_by": "11-26 18:00", "service_phone": "400-800",
			"confirm_until": strconv.FormatInt(until.Unix(), 10)}}
	got, err := f.send(in)
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.store.Message(context.Background(), store.Estates(f.estate.ID), got.MessageID)
	if want := links.ConfirmURL(12, until); err != nil || !strings.Contains(m.Body, "确认或提出异议请点击："+want) {
		t.Errorf("body: got %q, %v, want the link %s", m.Body, err, want)
	}
}

func TestNotifierLogsTheWorkflow(t *testing.T) {
	f := newNotifyFixture(t)
	var buf bytes.Buffer
	f.notifier.Log = slog.New(slog.NewTextHandler(&buf, nil))

	if _, err := f.send(f.received(activities.SendInput{Key: "ticket-12/received"})); err != nil {
		t.Fatalf("send: %v", err)
	}
	// The test environment runs the activity for a fixed workflow execution.
	for _, want := range []string{`msg="message sent"`, "workflow_id=default-test-workflow-id",
		"run_id=default-test-run-id", "activity=Send"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("got log %q, want %s", buf.String(), want)
		}
	}
}
