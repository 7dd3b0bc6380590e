package api

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store/storetest"
)

// message claims a new message to staff member staffID about ref.
func (h *harness) message(staffID uint64, ref string) models.Message {
	h.t.Helper()
	h.seq++
	m, _, err := h.store.ClaimMessage(context.Background(), &models.Message{
		Key: fmt.Sprintf("inbox-test/%d/%d", staffID, h.seq), EstateID: h.a.estate.ID,
		RecipientKind: models.RecipientStaff, RecipientID: staffID, Channel: "log", Address: "13800000000",
		Template: "ticket_assigned", Subject: "新派工单", Body: "请处理工单 " + ref, Ref: ref})
	h.must(err)
	return m
}

func (h *harness) messageTo(staffID uint64) uint64 { return h.message(staffID, "ticket:1").ID }

// staffOf is the id of estate A's account of role.
func (h *harness) staffOf(role models.Role) uint64 {
	h.t.Helper()
	st, err := h.store.StaffByUsername(context.Background(), "a-"+string(role))
	h.must(err)
	return st.ID
}

// openStream opens an event stream the way a browser's EventSource does:
// GET with the session cookie (and Last-Event-ID when given). It is closed
// when the test ends.
func (h *harness) openStream(path, token, lastEventID string) *http.Response {
	return openStreamAt(h.t, h.srv.URL, path, token, lastEventID)
}

func openStreamAt(t *testing.T, base, path, token, lastEventID string) *http.Response {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); res.Body.Close() })
	return res
}

// sseEvent is one parsed server-sent event.
type sseEvent struct{ id, event, data string }

// events parses the stream into a channel, closed at its end; comment
// lines (heartbeats) come as events named ":".
func events(res *http.Response) <-chan sseEvent {
	out := make(chan sseEvent, 64)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(res.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.event != "" {
					out <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, ":"):
				out <- sseEvent{event: ":"}
			case strings.HasPrefix(line, "id: "):
				ev.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return out
}

// next waits for the next event named name, skipping the others.
func next(t *testing.T, ch <-chan sseEvent, name string, within time.Duration) sseEvent {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("stream ended; want a %q event", name)
			}
			if ev.event == name {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %q event within %v", name, within)
		}
	}
}

func TestInboxOwnMessagesOnly(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		h := newHarness(t, s)
		tech := h.staffOf(models.RoleTechnician)
		tok := h.tokens[models.RoleTechnician]
		first, second := h.message(tech, "ticket:12"), h.message(tech, "followup:8")
		aCase, bCase := h.message(tech, fmt.Sprintf("case:%d", h.a.task.CaseID)), h.message(tech, fmt.Sprintf("case:%d", h.b.task.CaseID))
		theirs := h.message(h.staffOf(models.RoleSupervisor), "ticket:12")

		var l inboxBody
		h.wantStatus(h.do(http.MethodGet, "/api/v1/inbox", tok, nil, &l), http.StatusOK)
		if l.Total != 4 || l.Items[1].ID != aCase.ID || l.Items[1].HouseholdID == nil || *l.Items[1].HouseholdID != h.a.household.ID {
			t.Fatalf("inbox: got %+v, want 4 messages, the case's with its household %d", l, h.a.household.ID)
		}
		if l.Items[0].ID != bCase.ID || l.Items[0].HouseholdID != nil {
			t.Errorf("a message about another estate's case: got %+v, want no household", l.Items[0])
		}
		for _, m := range []models.Message{aCase, bCase} {
			h.wantStatus(h.do(http.MethodPost, fmt.Sprintf("/api/v1/inbox/%d/read", m.ID), tok, nil, nil), http.StatusOK)
		}
		h.wantStatus(h.do(http.MethodGet, "/api/v1/inbox?unread=true", tok, nil, &l), http.StatusOK)
		if l.Total != 2 || l.Unread != 2 || len(l.Items) != 2 || l.Items[0].ID != second.ID || l.Items[1].ID != first.ID || l.Items[0].ReadAt != nil {
			t.Fatalf("inbox: got %+v, want messages %d then %d, both unread", l, second.ID, first.ID)
		}
		if l.Items[0].Ref != "followup:8" || l.Items[0].Subject != "新派工单" {
			t.Errorf("item: got %+v, want its ref and subject", l.Items[0])
		}

		h.wantError(h.do(http.MethodPost, fmt.Sprintf("/api/v1/inbox/%d/read", theirs.ID), tok, nil, nil), http.StatusNotFound, codeNotFound, "")
		h.wantError(h.do(http.MethodPost, "/api/v1/inbox/99999999/read", tok, nil, nil), http.StatusNotFound, codeNotFound, "")
		var it inboxItem
		h.wantStatus(h.do(http.MethodPost, fmt.Sprintf("/api/v1/inbox/%d/read", first.ID), tok, nil, &it), http.StatusOK)
		if it.ID != first.ID || it.ReadAt == nil {
			t.Errorf("mark read: got %+v, want message %d with read_at", it, first.ID)
		}
		var n unreadBody
		h.wantStatus(h.do(http.MethodGet, "/api/v1/inbox/unread-count", tok, nil, &n), http.StatusOK)
		if n.Unread != 1 {
			t.Errorf("unread count: got %d, want 1", n.Unread)
		}
		h.wantStatus(h.do(http.MethodGet, "/api/v1/inbox?unread=true", tok, nil, &l), http.StatusOK)
		if l.Total != 1 || l.Items[0].ID != second.ID {
			t.Errorf("unread inbox: got %+v, want only %d", l, second.ID)
		}
		h.wantError(h.do(http.MethodGet, "/api/v1/inbox?unread=perhaps", tok, nil, nil), http.StatusBadRequest, codeInvalidInput, "unread")

		var all readAllBody
		h.wantStatus(h.do(http.MethodPost, "/api/v1/inbox/read-all", tok, nil, &all), http.StatusOK)
		if all.Marked != 1 || all.Unread != 0 {
			t.Errorf("read all: got %+v, want 1 marked, 0 left", all)
		}
		var sup unreadBody
		h.wantStatus(h.do(http.MethodGet, "/api/v1/inbox/unread-count", h.tokens[models.RoleSupervisor], nil, &sup), http.StatusOK)
		if sup.Unread != 1 {
			t.Errorf("the supervisor's unread count after the technician read all: got %d, want 1", sup.Unread)
		}
	})
}

// TestInboxStream opens the stream over a server with a short write
// timeout, creates a message after connecting and receives it; a reconnect
// with Last-Event-ID gets what it missed; shutting the server down ends
// the stream at once.
func TestInboxStream(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *storeT) {
		h := newHarness(t, s)
		api := New(Options{Store: s, StreamPoll: 50 * time.Millisecond, StreamHeartbeat: 200 * time.Millisecond})
		ts := httptest.NewUnstartedServer(api.Handler())
		ts.Config.WriteTimeout = 500 * time.Millisecond
		ts.Config.RegisterOnShutdown(api.CloseStreams)
		ts.Start()
		t.Cleanup(ts.Close)
		tech := h.staffOf(models.RoleTechnician)
		tok := h.tokens[models.RoleTechnician]
		before := h.message(tech, "ticket:1")

		res := openStreamAt(t, ts.URL, "/api/v1/inbox/stream", tok, "")
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("stream: got %d %q, want 200 text/event-stream", res.StatusCode, res.Header.Get("Content-Type"))
		}
		ch := events(res)
		var u unreadBody
		if ev := next(t, ch, "unread", 2*time.Second); json.Unmarshal([]byte(ev.data), &u) != nil || u.Unread != 1 {
			t.Fatalf("first event: got %+v, want unread 1", ev)
		}
		time.Sleep(time.Second) // past the server's write timeout
		next(t, ch, ":", 2*time.Second)
		m := h.message(tech, "ticket:12")
		h.message(h.staffOf(models.RoleSupervisor), "ticket:12") // another's: never sent
		ev := next(t, ch, "message", 3*time.Second)
		var got streamEvent
		if err := json.Unmarshal([]byte(ev.data), &got); err != nil || ev.id != fmt.Sprint(m.ID) || got.Item.ID != m.ID || got.Item.Ref != "ticket:12" || got.Unread != 2 {
			t.Fatalf("message event: got %+v (%+v, %v), want message %d with unread 2", ev, got, err, m.ID)
		}

		h.wantStatus(h.do(http.MethodPost, "/api/v1/inbox/read-all", tok, nil, nil), http.StatusOK)
		if ev := next(t, ch, "unread", 3*time.Second); json.Unmarshal([]byte(ev.data), &u) != nil || u.Unread != 0 {
			t.Errorf("after reading all: got %+v, want unread 0", ev)
		}

		again := events(openStreamAt(t, ts.URL, "/api/v1/inbox/stream", tok, fmt.Sprint(before.ID)))
		if ev := next(t, again, "message", 3*time.Second); ev.id != fmt.Sprint(m.ID) {
			t.Errorf("reconnect after %d: got %+v, want message %d", before.ID, ev, m.ID)
		}
		if res := openStreamAt(t, ts.URL, "/api/v1/inbox/stream", tok, "x"); res.StatusCode != http.StatusBadRequest {
			t.Errorf("Last-Event-ID x: got %d, want 400", res.StatusCode)
		}

		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if err := ts.Config.Shutdown(ctx); err != nil {
			t.Fatalf("shutdown with open streams: %v, want it done at once", err)
		}
		for range ch { // the stream ends
		}
	})
}
