package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"

	"github.com/gin-gonic/gin"
)

// RequestIDHeader names the request: taken from the request when the
// client (or a proxy) sent a sane one, else made up, and echoed in the
// answer. Every log line written with the request's context carries it as
// request_id.
const RequestIDHeader = "X-Request-ID"

// maxRequestIDLen bounds a request ID taken from the client.
const maxRequestIDLen = 64

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request ID id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request ID ctx carries, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// requestID takes or makes the request's ID, echoes it in the answer and
// puts it into the request's context. It runs first, so that every later
// log line (a panic, the access log) carries it.
func requestID(c *gin.Context) {
	id := c.GetHeader(RequestIDHeader)
	if !saneRequestID(id) {
		id = newRequestID()
	}
	c.Header(RequestIDHeader, id)
	c.Request = c.Request.WithContext(WithRequestID(c.Request.Context(), id))
	c.Next()
}

// saneRequestID reports whether id is 1 to 64 characters of [A-Za-z0-9._-]:
// nothing that could forge a log line or a header.
func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for _, r := range id {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '.', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}

// newRequestID returns 16 random bytes in hex.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// RequestIDHandler wraps h so that a record logged with a context carrying a
// request ID (WithRequestID) gets the attribute request_id. Wrapping a
// handler that is already wrapped returns it unchanged.
func RequestIDHandler(h slog.Handler) slog.Handler {
	if _, ok := h.(requestIDHandler); ok {
		return h
	}
	return requestIDHandler{h}
}

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx == nil {
		return h.Handler.Handle(ctx, r)
	}
	if id := RequestID(ctx); id != "" {
		r = r.Clone()
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
