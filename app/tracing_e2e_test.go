package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/wuye/wuye/models"
)

// TestTracingLinksRequestWorkflowAndActivities: with tracing on, opening a
// ticket gives one trace from the HTTP request through the workflow's start
// to the activities the workflow runs.
func TestTracingLinksRequestWorkflowAndActivities(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := Start(context.Background(), testConfig(t, t.TempDir()), Options{Out: io.Discard, Log: log, TracerProvider: tp})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { a.Stop(context.Background()) })

	estateID, as, _ := estateWithStaff(t, a, "TRACE", func(*models.Policy) {})
	desk := as[models.RoleCustomerService]
	req := map[string]any{"estate_id": estateID, "kind": "repair", "urgency": "normal", "category": "门窗",
		"description": "窗户关不上", "location": "物业办公室", "channel": "walk_in"}
	if got := desk.callWithKey(http.MethodPost, "/api/v1/tickets", "trace-1", req); got.status != http.StatusCreated {
		t.Fatalf("open ticket: got %d, want %d", got.status, http.StatusCreated)
	}

	// find returns the first span whose name starts with prefix.
	find := func(prefix string) (tracetest.SpanStub, bool) {
		for _, s := range exp.GetSpans() {
			if strings.HasPrefix(s.Name, prefix) {
				return s, true
			}
		}
		return tracetest.SpanStub{}, false
	}
	httpSpan, ok := find("POST /api/v1/tickets")
	if !ok {
		t.Fatalf("got spans %v, want one for POST /api/v1/tickets", names(exp.GetSpans()))
	}
	start, ok := find("StartWorkflow:Ticket")
	if !ok {
		t.Fatalf("got spans %v, want StartWorkflow:Ticket", names(exp.GetSpans()))
	}
	if start.Parent.SpanID() != httpSpan.SpanContext.SpanID() {
		t.Errorf("StartWorkflow:Ticket: got parent %v, want the request's span %v", start.Parent.SpanID(), httpSpan.SpanContext.SpanID())
	}
	var activity tracetest.SpanStub
	waitFor(t, 20*time.Second, "an activity span", func() bool {
		activity, ok = find("RunActivity:")
		return ok
	})
	if activity.SpanContext.TraceID() != httpSpan.SpanContext.TraceID() {
		t.Errorf("%s: got trace %v, want the request's %v", activity.Name, activity.SpanContext.TraceID(), httpSpan.SpanContext.TraceID())
	}
}

func names(spans tracetest.SpanStubs) []string {
	out := []string{}
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}
