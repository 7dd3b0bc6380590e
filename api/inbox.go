package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// The inbox: the signed-in staff member's messages (new work, warnings,
// escalations, assignments), marked read in the console, and a stream of
// server-sent events that brings each new one at once. The stream watches
// the database, not this process: the workers that write the messages run
// elsewhere, and any replica of the API may hold the stream.

// Stream defaults; Options may shorten them (tests do).
const (
	defaultStreamPoll      = 1500 * time.Millisecond
	defaultStreamHeartbeat = 15 * time.Second
	// defaultStreamLifetime ends each stream after a while: the browser
	// reconnects at once with Last-Event-ID, and the reconnection checks the
	// session again, so a signed-out or deactivated account stops hearing.
	defaultStreamLifetime = 5 * time.Minute
	// streamBatch bounds the messages one poll sends; the rest follow on
	// the next poll.
	streamBatch = 50
)

func (s *Server) inboxRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/api/v1/inbox", summary: "Your messages, newest first, with the unread count", tag: "inbox", roles: everyRole, handler: s.listInbox, resp: inboxBody{}, status: http.StatusOK,
			query: params(param{"unread", "boolean", "only the messages not yet read"})},
		{method: http.MethodGet, path: "/api/v1/inbox/unread-count", summary: "How many of your messages are unread", tag: "inbox", roles: everyRole, handler: s.unreadCount, resp: unreadBody{}, status: http.StatusOK},
		{method: http.MethodGet, path: "/api/v1/inbox/stream", summary: "Server-sent events: `unread` (the count) on connecting, `message` (the item and the count) for each new message, `unread` when the count changes otherwise; heartbeat comments; resumes after Last-Event-ID (or ?after=)", tag: "inbox", roles: everyRole, handler: s.inboxStream, status: http.StatusOK, stream: true,
			query: []param{{"after", "integer", "send the messages after this id (what Last-Event-ID says on a reconnect)"}}},
		{method: http.MethodPost, path: "/api/v1/inbox/:id/read", summary: "Mark one of your messages read (another's: 404)", tag: "inbox", roles: everyRole, handler: s.markRead, resp: inboxItem{}, status: http.StatusOK, own: true},
		{method: http.MethodPost, path: "/api/v1/inbox/read-all", summary: "Mark all your messages read", tag: "inbox", roles: everyRole, handler: s.markAllRead, resp: readAllBody{}, status: http.StatusOK},
	}
}

// inboxItem is one message as its recipient sees it. Ref names what it is
// about ("ticket:12", "followup:8", "case:7"); ReadAt is null while unread.
type inboxItem struct {
	ID        uint64     `json:"id"`
	EstateID  uint64     `json:"estate_id"`
	Template  string     `json:"template"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	Ref       string     `json:"ref"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
	// HouseholdID is, for a collection case's message, the case's
	// household: the console opens a case by it.
	HouseholdID *uint64 `json:"household_id,omitempty"`
}

func viewInboxItem(m models.Message) inboxItem {
	return inboxItem{ID: m.ID, EstateID: m.EstateID, Template: m.Template, Subject: m.Subject, Body: m.Body,
		Ref: m.Ref, CreatedAt: m.CreatedAt.UTC(), ReadAt: m.ReadAt}
}

type inboxBody struct {
	listBody[inboxItem]
	Unread int64 `json:"unread"`
}

type unreadBody struct {
	Unread int64 `json:"unread"`
}

type readAllBody struct {
	Marked int64 `json:"marked"`
	Unread int64 `json:"unread"`
}

// streamEvent is the data of a `message` event.
type streamEvent struct {
	Item   inboxItem `json:"item"`
	Unread int64     `json:"unread"`
}

func (s *Server) listInbox(c *gin.Context) {
	q := &query{c: c}
	unread := q.bool("unread")
	page := q.page()
	if q.err != nil {
		respondError(c, s.log, q.err)
		return
	}
	ctx, me := c.Request.Context(), caller(c).Staff.ID
	l, err := s.store.Inbox(ctx, me, store.InboxFilter{Unread: unread != nil && *unread}, page)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	n, err := s.store.UnreadCount(ctx, me)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	body := inboxBody{listBody: listResponse(l, page, viewInboxItem), Unread: n}
	if err := s.linkCases(ctx, caller(c).scope(), body.Items); err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, body)
}

func (s *Server) unreadCount(c *gin.Context) {
	n, err := s.store.UnreadCount(c.Request.Context(), caller(c).Staff.ID)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, unreadBody{Unread: n})
}

func (s *Server) markRead(c *gin.Context) {
	id, err := pathID(c, "id")
	if err == nil {
		var m models.Message
		m, err = s.store.MarkRead(c.Request.Context(), caller(c).Staff.ID, id, s.now())
		if err == nil {
			it := []inboxItem{viewInboxItem(m)}
			if err = s.linkCases(c.Request.Context(), caller(c).scope(), it); err == nil {
				c.JSON(http.StatusOK, it[0])
				return
			}
		}
	}
	respondError(c, s.log, err)
}

func (s *Server) markAllRead(c *gin.Context) {
	ctx, me := c.Request.Context(), caller(c).Staff.ID
	n, err := s.store.MarkAllRead(ctx, me, s.now())
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	left, err := s.store.UnreadCount(ctx, me)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, readAllBody{Marked: n, Unread: left})
}

// streamStart is where a stream begins: after the id of Last-Event-ID (a
// reconnecting EventSource) or of ?after=, else after the newest message.
func (s *Server) streamStart(c *gin.Context, me uint64) (uint64, error) {
	v := c.GetHeader("Last-Event-ID")
	field := "Last-Event-ID"
	if v == "" {
		v, field = c.Query("after"), "after"
	}
	if v == "" {
		return s.store.LastInboxID(c.Request.Context(), me)
	}
	n, err := strconv.ParseUint(v, 10, 63)
	if err != nil {
		return 0, models.Invalid(field, "须为消息编号（非负整数）")
	}
	return n, nil
}

// inboxStream sends the caller's new messages as server-sent events until
// the client goes, the stream's lifetime is up, or the server shuts down.
// It polls the database every streamPoll for messages after the last id
// sent; the write deadline of the HTTP server does not apply to it.
func (s *Server) inboxStream(c *gin.Context) {
	me := caller(c).Staff.ID
	scope := caller(c).scope()
	last, err := s.streamStart(c, me)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.streamLifetime)
	defer cancel()
	unread, err := s.store.UnreadCount(ctx, me)
	if err != nil {
		respondError(c, s.log, err)
		return
	}
	rc := http.NewResponseController(c.Writer)
	_ = rc.SetWriteDeadline(time.Time{}) // no deadline where the server sets one; not every writer can
	hd := c.Writer.Header()
	hd.Set("Content-Type", "text/event-stream; charset=utf-8")
	hd.Set("X-Accel-Buffering", "no") // nginx: pass each event on at once
	c.Status(http.StatusOK)
	w := c.Writer
	err = writeEvent(w, "retry: 3000\n", "unread", 0, unreadBody{Unread: unread})
	poll, beat := time.NewTicker(s.streamPoll), time.NewTicker(s.streamHeartbeat)
	defer poll.Stop()
	defer beat.Stop()
	for err == nil {
		if err = rc.Flush(); err != nil {
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-s.closing:
			return
		case <-beat.C:
			_, err = io.WriteString(w, ": ping\n\n")
		case <-poll.C:
			last, unread, err = s.sendNew(ctx, w, scope, me, last, unread)
		}
	}
	if ctx.Err() == nil {
		s.log.DebugContext(ctx, "inbox stream ended", "staff_id", me, "err", err)
	}
}

// sendNew writes a `message` event for each of staff member me's messages
// after last, or an `unread` event when only the count changed. It returns
// the last id and the count sent. A database error skips this poll.
func (s *Server) sendNew(ctx context.Context, w io.Writer, scope store.Scope, me, last uint64, unread int64) (uint64, int64, error) {
	msgs, err := s.store.InboxAfter(ctx, me, last, streamBatch)
	var n int64
	if err == nil {
		n, err = s.store.UnreadCount(ctx, me)
	}
	if err != nil {
		if ctx.Err() == nil { // not the stream's own end
			s.log.WarnContext(ctx, "inbox stream poll", "staff_id", me, "err", err)
		}
		return last, unread, nil
	}
	items := make([]inboxItem, len(msgs))
	for i, m := range msgs {
		items[i] = viewInboxItem(m)
	}
	if err := s.linkCases(ctx, scope, items); err != nil {
		s.log.WarnContext(ctx, "inbox stream: households of cases", "staff_id", me, "err", err)
	}
	for _, it := range items {
		if err := writeEvent(w, "", "message", it.ID, streamEvent{Item: it, Unread: n}); err != nil {
			return last, unread, err
		}
		last = it.ID
	}
	if len(msgs) == 0 && n != unread {
		if err := writeEvent(w, "", "unread", 0, unreadBody{Unread: n}); err != nil {
			return last, unread, err
		}
	}
	return last, n, nil
}

// writeEvent writes one server-sent event, after prefix; id 0 sets none.
func writeEvent(w io.Writer, prefix, event string, id uint64, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	if id != 0 {
		prefix += "id: " + strconv.FormatUint(id, 10) + "\n"
	}
	_, err = fmt.Fprintf(w, "%sevent: %s\ndata: %s\n\n", prefix, event, raw)
	return err
}

// linkCases sets the household of each item about a collection case.
func (s *Server) linkCases(ctx context.Context, scope store.Scope, items []inboxItem) error {
	var ids []uint64
	for _, it := range items {
		if id, ok := caseRef(it.Ref); ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	households, err := s.store.CaseHouseholds(ctx, scope, ids)
	if err != nil {
		return err
	}
	for i := range items {
		id, _ := caseRef(items[i].Ref)
		if hh, ok := households[id]; ok {
			items[i].HouseholdID = &hh
		}
	}
	return nil
}

// caseRef reads the case id of a ref "case:7".
func caseRef(ref string) (uint64, bool) {
	v, ok := strings.CutPrefix(ref, "case:")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 64)
	return n, err == nil
}
