package store

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"gorm.io/gorm/logger"

	"github.com/wuye/wuye/models"
)

// slowLog logs statements slower than its threshold, without their
// arguments (which may be residents' personal data). Failed statements are
// not logged here: the error goes back to the caller, who handles it once.
type slowLog struct {
	log       *slog.Logger
	threshold time.Duration
	// errors counts the failed statements that countsAsError keeps (see
	// Store.Errors); nil counts nothing.
	errors *atomic.Uint64
}

func (l slowLog) LogMode(logger.LogLevel) logger.Interface { return l }

func (l slowLog) Info(ctx context.Context, msg string, args ...any) {
	l.log.InfoContext(ctx, msg, "args", len(args))
}

func (l slowLog) Warn(ctx context.Context, msg string, args ...any) {
	l.log.WarnContext(ctx, msg, "args", len(args))
}

func (l slowLog) Error(ctx context.Context, msg string, args ...any) {
	l.log.ErrorContext(ctx, msg, "args", len(args))
}

func (l slowLog) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if err != nil && l.errors != nil && countsAsError(err) {
		l.errors.Add(1)
	}
	if elapsed := time.Since(begin); elapsed >= l.threshold {
		sql, rows := fc()
		l.log.WarnContext(ctx, "slow SQL", "elapsed", elapsed, "rows", rows, "sql", sql)
	}
}

// ParamsFilter keeps bound values out of the SQL text handed to Trace.
func (l slowLog) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}

// countsAsError leaves out the failures callers expect and answer
// themselves: not found, a duplicate key (a conflict), a request that went
// away.
func countsAsError(err error) bool {
	t := translate(err)
	return !errors.Is(t, models.ErrNotFound) && !errors.Is(t, models.ErrConflict) && !errors.Is(err, context.Canceled)
}
