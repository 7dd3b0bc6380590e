package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wuye/wuye/models"
)

// TestConsoleInboxInABrowser signs a technician in and opens their empty
// inbox; the estate manager opens and dispatches a ticket to them, and
// without a reload the header's 消息 badge rises to 1 and the assignment
// appears unread; opening it marks it read, goes to the ticket and the
// badge goes. At 375 px the inbox fits a phone; with a stream open, the
// server shuts down at once.
func TestConsoleInboxInABrowser(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	base := "http://" + a.Addr()
	estateID, as, ids := estateWithStaff(t, a, "INB", func(*models.Policy) {})
	manager, tech := as[models.RoleEstateManager], as[models.RoleTechnician]

	b := newBrowser(t, base)
	b.signIn("INB-technician", "staff-password")
	b.do("open the empty inbox", chromedp.Click(chromedp.ID("inbox-link")), chromedp.WaitVisible(chromedp.CSS(`ul.inbox li.muted`)))
	if hidden := eval[bool](b, `document.getElementById('inbox-count').hidden`); !hidden {
		t.Errorf("badge before any message: got %q shown, want it hidden", b.text("#inbox-count"))
	}
	eval[bool](b, `(window.stillHere = true)`) // gone if the page reloads

	var ticket idOnly
	manager.mustCall(http.MethodPost, "/api/v1/tickets", map[string]any{"estate_id": estateID, "kind": "repair", "urgency": "normal",
		"category": "门窗", "description": "单元门关不上", "location": "1栋单元门", "channel": "phone"}, &ticket, http.StatusCreated)
	manager.mustCall(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/actions/dispatch", ticket.ID),
		map[string]any{"assignee_id": ids[models.RoleTechnician]}, nil, http.StatusOK)

	b.within(45*time.Second, "wait for the assignment to arrive",
		chromedp.WaitVisible(chromedp.ID("inbox-count")), chromedp.WaitVisible(chromedp.CSS(`ul.inbox li.inbox-item.unread`)))
	if got := b.text("#inbox-count"); got != "1" {
		t.Errorf("badge: got %q, want 1", got)
	}
	if !eval[bool](b, `window.stillHere === true`) {
		t.Error("the page reloaded; want the badge and the list updated in place")
	}
	if n := b.count(`ul.inbox li.inbox-item`); n != 1 {
		t.Errorf("inbox: got %d items, want 1", n)
	}
	if got := b.text(`ul.inbox li.inbox-item.unread`); !strings.Contains(got, "未读") || !strings.Contains(got, "1栋单元门") {
		t.Errorf("inbox item: got %q, want the unread assignment of ticket %d", got, ticket.ID)
	}
	b.shot("inbox-01-arrived")

	b.do("open the message", chromedp.Click(chromedp.CSS(`ul.inbox li.inbox-item.unread button`)), chromedp.WaitVisible(chromedp.ID("process")))
	if got, want := eval[string](b, "location.hash"), fmt.Sprintf("#/tickets/%d", ticket.ID); got != want {
		t.Errorf("after opening the message: got %q, want %q", got, want)
	}
	b.do("wait for the badge to go", chromedp.WaitNotVisible(chromedp.ID("inbox-count")))
	var unread struct {
		Unread int64 `json:"unread"`
	}
	tech.mustCall(http.MethodGet, "/api/v1/inbox/unread-count", nil, &unread, http.StatusOK)
	if unread.Unread != 0 {
		t.Errorf("unread after opening the message: got %d, want 0", unread.Unread)
	}

	b.do("phone screen", chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile))
	b.do("open the inbox on a phone", chromedp.Navigate(base+"/console/#/inbox"), chromedp.WaitVisible(chromedp.CSS(`ul.inbox li.inbox-item`)))
	if n := b.count(`ul.inbox li.inbox-item.unread`); n != 0 {
		t.Errorf("inbox after reading: got %d unread items, want none", n)
	}
	b.fitsPhone("inbox")

	// With a stream open in the browser, the server still shuts down at
	// once: Shutdown ends the streams rather than wait for them.
	if !eval[bool](b, `new Promise((ok) => { const es = new EventSource('/api/v1/inbox/stream'); es.onopen = () => ok(true); })`) {
		t.Fatal("open a stream: got no open event")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := a.http.Shutdown(ctx); err != nil {
		t.Errorf("shut down with a stream open: got %v after %v, want done at once", err, time.Since(start))
	}
}
