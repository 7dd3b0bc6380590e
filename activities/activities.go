// Package activities holds the side effects of the workflows, grouped by
// capability: Cases records every process's transitions, Staff answers who
// is told or assigned and what messages call them, Tickets opens the
// tickets other processes raise, Collections keeps a household's arrears
// and Notifier sends every message.
//
// Temporal registers an activity under its method's name alone, without the
// struct's: a method name is unique across the structs the worker
// registers, and it never changes, since running processes call it by that
// name. An input or result type may be renamed; its field names may not
// (payloads are JSON).
package activities

import (
	"context"
	"errors"
	"log/slog"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/models"
)

// permanent marks errors that a retry cannot fix (bad input, a missing
// record) as non-retryable; others (the database is down) stay retryable.
func permanent(err error) error {
	var ve *models.ValidationError
	if errors.As(err, &ve) || errors.Is(err, models.ErrNotFound) {
		return temporal.NewNonRetryableApplicationError(err.Error(), "Permanent", err)
	}
	return err
}

// logFor returns log with, when ctx is an activity's, the workflow's ID and
// run ID and the activity's name, so that a line tells which process wrote
// it. Activities log through it.
func logFor(ctx context.Context, log *slog.Logger) *slog.Logger {
	if !activity.IsActivity(ctx) {
		return log
	}
	info := activity.GetInfo(ctx)
	return log.With("workflow_id", info.WorkflowExecution.ID, "run_id", info.WorkflowExecution.RunID,
		"activity", info.ActivityType.Name)
}
