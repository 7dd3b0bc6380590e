package engine

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// serverLogger passes the server's warnings and errors to slog and drops its debug and
// info lines, which come by the thousand and would drown the service's own logs.
//
// Once the server is stopping it drops everything and only counts: shutdown reports every
// interrupted poll, dial and task dispatch as a warning or an error, and none of them
// needs action.
type serverLogger struct {
	sl    *slog.Logger
	tags  []tag.Tag // converted only when a line is written: most lines are dropped
	state *logState
}

type logState struct {
	stopping atomic.Bool
	dropped  atomic.Int64 // lines dropped while stopping
}

// benignWarnings start lines the server warns about for choices made on purpose here.
var benignWarnings = []string{
	"HTTP API port has not been set", // the frontend's HTTP API (and Nexus) is off
}

var (
	_ log.Logger     = serverLogger{}
	_ log.WithLogger = serverLogger{}
)

func newServerLogger(sl *slog.Logger) serverLogger {
	return serverLogger{sl: sl.With("component", "temporal-server"), state: &logState{}}
}

func (l serverLogger) Debug(string, ...tag.Tag) {}
func (l serverLogger) Info(string, ...tag.Tag)  {}

func (l serverLogger) Warn(msg string, tags ...tag.Tag)   { l.write(slog.LevelWarn, msg, tags) }
func (l serverLogger) Error(msg string, tags ...tag.Tag)  { l.write(slog.LevelError, msg, tags) }
func (l serverLogger) DPanic(msg string, tags ...tag.Tag) { l.write(slog.LevelError, msg, tags) }

// Panic logs and panics, as the server expects.
func (l serverLogger) Panic(msg string, tags ...tag.Tag) {
	l.write(slog.LevelError, msg, tags)
	panic(msg)
}

// Fatal logs and panics: the server does not expect Fatal to return, and exiting the
// process is left to main.
func (l serverLogger) Fatal(msg string, tags ...tag.Tag) {
	l.write(slog.LevelError, msg, tags)
	panic(msg)
}

// With returns a logger that adds tags to every line.
func (l serverLogger) With(tags ...tag.Tag) log.Logger {
	return serverLogger{sl: l.sl, tags: append(slices.Clip(l.tags), tags...), state: l.state}
}

func (l serverLogger) write(level slog.Level, msg string, tags []tag.Tag) {
	if l.state.stopping.Load() {
		l.state.dropped.Add(1)
		return
	}
	for _, prefix := range benignWarnings {
		if strings.HasPrefix(msg, prefix) {
			return
		}
	}
	ctx := context.Background()
	if !l.sl.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, len(l.tags)+len(tags))
	for _, t := range slices.Concat(l.tags, tags) {
		attrs = append(attrs, slog.Any(t.Key(), t.Value()))
	}
	l.sl.LogAttrs(ctx, level, msg, attrs...)
}
