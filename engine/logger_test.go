package engine

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"go.temporal.io/server/common/log/tag"
)

func TestServerLogger(t *testing.T) {
	var buf bytes.Buffer
	l := newServerLogger(slog.New(slog.NewTextHandler(&buf, nil)))

	l.Info("started")
	l.Debug("details")
	l.Warn("HTTP API port has not been set. Nexus HTTP endpoints will not be available.")
	l.With(tag.NewStringTag("service", "history")).Warn("slow", tag.Error(errors.New("boom")))
	got := buf.String()
	if strings.Count(got, "\n") != 1 {
		t.Fatalf("lines written: got %q, want only the warning", got)
	}
	for _, want := range []string{"level=WARN", `msg=slow`, "service=history", "error=boom", "component=temporal-server"} {
		if !strings.Contains(got, want) {
			t.Errorf("warning line: got %q, want it to contain %q", got, want)
		}
	}

	buf.Reset()
	l.state.stopping.Store(true)
	l.Error("task queue closed")
	if buf.Len() != 0 || l.state.dropped.Load() != 1 {
		t.Errorf("while stopping: got %q and %d dropped, want nothing written and 1 dropped", buf.String(), l.state.dropped.Load())
	}
}
