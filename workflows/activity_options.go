package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// The activity options of the workflows, one set per kind of work. Each
// returns ctx with the set; a call reads `ExecuteActivity(dbCall(ctx), ...)`.
// Options are not part of a workflow's history check, but changing one
// changes how running processes retry: a new kind of work gets a new set.

// dbBackoff is the retry backoff of database activities: a second at first,
// doubling up to a minute apart.
func dbBackoff(attempts int32) *temporal.RetryPolicy {
	return &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2,
		MaximumInterval: time.Minute, MaximumAttempts: attempts}
}

// dbCall is a database activity the process needs done (a transition
// recorded, a ticket opened, recipients read): retried until it succeeds
// or fails for good (a non-retryable error).
func dbCall(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         dbBackoff(0),
	})
}

// dbLookup is a database read the process can do without (names for
// messages, the choice of an assignee): 20 attempts, then it goes on with
// what it has.
func dbLookup(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         dbBackoff(lookupAttempts),
	})
}

// lookupAttempts are dbLookup's attempts.
const lookupAttempts = 20

// dbLocal is a database activity run locally (changeLocalDB): attempts 0
// as dbCall (until it succeeds), lookupAttempts as dbLookup. An attempt may
// outlast the workflow task's timeout: the worker keeps the task alive.
func dbLocal(ctx workflow.Context, attempts int32) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         dbBackoff(attempts),
	})
}

// sendMessage is one notification: 10 attempts, 5 seconds apart at first,
// doubling up to 10 minutes. A message not sent by then is logged.
func sendMessage(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 5 * time.Second, BackoffCoefficient: 2,
			MaximumInterval: 10 * time.Minute, MaximumAttempts: 10},
	})
}

// escalationCall is an escalation (activities.Escalations.Escalate): a
// record the process needs, retried like dbCall until it succeeds, and the
// messages of several people, which take longer than one; the activity
// itself gives a message up after the attempts sendMessage allows.
func escalationCall(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy:         dbBackoff(0),
	})
}

// billingBackoff waits a database outage out for a day (with the
// schedule-to-close timeouts below); the next month's run is skipped while
// this one still runs.
func billingBackoff() *temporal.RetryPolicy {
	return &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Minute}
}

// billingWrite is an estate's billing run in the database: up to 5
// minutes an attempt, retried for a day.
func billingWrite(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute, ScheduleToCloseTimeout: 24 * time.Hour, RetryPolicy: billingBackoff(),
	})
}

// billingNudges tells the collections of a run's bills: up to 30 minutes
// an attempt with a heartbeat every 2, retried for a day from the last
// bill the heartbeat recorded.
func billingNudges(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute, HeartbeatTimeout: 2 * time.Minute, ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy: billingBackoff(),
	})
}

// surveyBatch is one batch of a survey's invitations or reminders: up to
// 10 minutes an attempt, retried for a day (each message is sent once by
// its key, so a retry resends nothing).
func surveyBatch(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute, ScheduleToCloseTimeout: 24 * time.Hour, RetryPolicy: billingBackoff(),
	})
}
