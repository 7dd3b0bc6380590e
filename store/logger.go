package store

import (
	"context"
	"log/slog"
	"time"

	"gorm.io/gorm/logger"
)

// slowLog logs statements slower than its threshold, without their
// arguments (which may be residents' personal data). Failed statements are
// not logged here: the error goes back to the caller, who handles it once.
type slowLog struct {
	log       *slog.Logger
	threshold time.Duration
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

func (l slowLog) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), _ error) {
	if elapsed := time.Since(begin); elapsed >= l.threshold {
		sql, rows := fc()
		l.log.WarnContext(ctx, "slow SQL", "elapsed", elapsed, "rows", rows, "sql", sql)
	}
}

// ParamsFilter keeps bound values out of the SQL text handed to Trace.
func (l slowLog) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}
