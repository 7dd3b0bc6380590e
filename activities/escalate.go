package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// EscalationStore is what an escalation needs of the store: who holds a
// role, the case journal (to record the event, and to read back what an
// earlier attempt recorded).
type EscalationStore interface {
	CaseStore
	StaffToNotify(ctx context.Context, estateID uint64, role models.Role) ([]uint64, error)
	CaseEventByKey(ctx context.Context, kind models.CaseKind, key string) (models.CaseEvent, error)
}

// Sender sends one message: the Notifier's Send, the one way a message
// leaves the service.
type Sender interface {
	Send(ctx context.Context, in SendInput) (SendResult, error)
}

// Escalations carries out a case's escalation (升级) as one activity:
// it finds who the escalation tells, records the event naming them
// ("notified") with the case's new progress, and sends each of them the
// staff message through the Sender. Before, an escalation was a recipients
// look-up, a record and one Send per person, each an activity and a
// workflow task of its own: at company size (thousands of deadlines a
// minute) the engine's task rate, not the database, set how late
// escalations went out (issue 15).
//
// A regular activity, not a local one: the sends reach gateways whose
// answers may take seconds, longer than a workflow task should be held,
// and a local activity retried past the task's timeout is run again from
// the workflow's next task anyway, with nothing saved. A regular activity's
// retries are the server's, while the workflow waits without a task.
//
// It is idempotent by the event's key: a retry reads the people the
// recorded event names (never looks them up again, so the journal and the
// messages agree), writes no second event, and the Notifier sends no
// message key twice.
type Escalations struct {
	Store  EscalationStore
	Sender Sender
	Log    *slog.Logger // nil means slog.Default()
}

// EscalateInput is one escalation of a case: exactly one of Ticket,
// FollowUp, Case (a collection case; its Task, when set, is the overdue
// task's new level, written with the event), Inspection, Outage and
// Contract is its transition, whose event gets "notified" (the people
// told, ascending) in its detail. It tells the active staff holding
// Role in the message's estate and Owner (who holds the case; 0 for none),
// each once. Message is the staff message each gets: its Key is the
// prefix of theirs ("<Key>/staff-<id>"), RecipientKind and RecipientID are
// set per person.
type EscalateInput struct {
	Ticket   *store.TicketChange   `json:",omitempty"`
	FollowUp *store.FollowUpChange `json:",omitempty"`
	Case     *store.CaseChange     `json:",omitempty"`
	// The newer processes' transitions (issue 15, after tickets,
	// follow-ups and collection cases).
	Inspection *store.InspectionChange `json:",omitempty"`
	Outage     *store.OutageChange     `json:",omitempty"`
	Contract   *store.ContractChange   `json:",omitempty"`
	Role       models.Role
	Owner      uint64
	Message    SendInput
}

// EscalateResult says what the escalation did: whether this call recorded
// the event, who was told (ascending) and each one's message result, in
// the same order; Failed are the keys of messages not sent (logged).
type EscalateResult struct {
	Recorded bool
	StaffIDs []uint64
	Sent     []SendResult
	Failed   []string `json:",omitempty"`
}

// escalationSendAttempts is how many attempts of the activity retry a
// message whose delivery may yet succeed, as a single Send's activity
// options did (sendMessage in workflows): past them it is logged as not
// sent and the escalation completes. A database failure is retried for as
// long as the workflow's options allow.
const escalationSendAttempts = 10

// StaffKey is the key of the message of an escalation whose key prefix is
// prefix to staff member id.
func StaffKey(prefix string, id uint64) string { return fmt.Sprintf("%s/staff-%d", prefix, id) }

// Escalate records the escalation and tells its people (see Escalations).
func (a *Escalations) Escalate(ctx context.Context, in EscalateInput) (EscalateResult, error) {
	kind, ev, err := in.event()
	if err != nil {
		return EscalateResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "Permanent", err)
	}
	ids, err := a.recipients(ctx, in, kind, ev.Key)
	if err != nil {
		return EscalateResult{}, err
	}
	if ev.Detail == nil {
		ev.Detail = map[string]string{}
	}
	ev.Detail["notified"] = joinIDs(ids)
	out := EscalateResult{StaffIDs: ids}
	log := logFor(ctx, a.log()).With("key", ev.Key)
	if out.Recorded, err = a.record(ctx, in); err != nil {
		if temporal.IsApplicationError(err) {
			// A permanent failure: the escalation goes on without its record,
			// as the process's own record would (logged).
			log.ErrorContext(ctx, "record escalation", "error", err)
		} else {
			return EscalateResult{}, err
		}
	}
	retry := 0
	for _, id := range ids {
		msg := in.Message
		msg.RecipientKind, msg.RecipientID, msg.Key = models.RecipientStaff, id, StaffKey(in.Message.Key, id)
		res, err := a.Sender.Send(ctx, msg)
		out.Sent = append(out.Sent, res)
		if err == nil {
			continue
		}
		var appErr *temporal.ApplicationError
		if !(errors.As(err, &appErr) && appErr.NonRetryable()) && attempt(ctx) < escalationSendAttempts {
			retry++
			continue
		}
		log.WarnContext(ctx, "notification not sent", "message", msg.Key, "error", err)
		out.Failed = append(out.Failed, msg.Key)
	}
	if retry > 0 {
		return out, temporal.NewApplicationError(fmt.Sprintf("escalation %q: %d of %d messages not sent yet", ev.Key, retry, len(ids)), ErrTypeNotifyFailed)
	}
	return out, nil
}

// event is the transition's kind and event (to add "notified" to).
func (in *EscalateInput) event() (models.CaseKind, *models.CaseEvent, error) {
	var kind models.CaseKind
	var ev *models.CaseEvent
	n := 0
	for _, t := range []struct {
		set  bool
		kind models.CaseKind
		ev   func() *models.CaseEvent
	}{
		{in.Ticket != nil, models.KindTicket, func() *models.CaseEvent { return &in.Ticket.Event }},
		{in.FollowUp != nil, models.KindFollowUp, func() *models.CaseEvent { return &in.FollowUp.Event }},
		{in.Case != nil, models.KindCollection, func() *models.CaseEvent { return &in.Case.Event }},
		{in.Inspection != nil, models.KindInspection, func() *models.CaseEvent { return &in.Inspection.Event }},
		{in.Outage != nil, models.KindOutage, func() *models.CaseEvent { return &in.Outage.Event }},
		{in.Contract != nil, models.KindContract, func() *models.CaseEvent { return &in.Contract.Event }},
	} {
		if t.set {
			n++
			kind, ev = t.kind, t.ev()
		}
	}
	if n != 1 {
		return "", nil, models.Invalid("escalation", "want exactly one of ticket, follow_up, case, inspection, outage and contract")
	}
	return kind, ev, nil
}

// record writes the transition through the store.
func (a *Escalations) record(ctx context.Context, in EscalateInput) (bool, error) {
	var res RecordResult
	var err error
	switch {
	case in.Ticket != nil:
		ok, e := a.Store.RecordTicketChange(ctx, *in.Ticket)
		res, err = recorded(ok, e, "ticket", in.Ticket.TicketID)
	case in.FollowUp != nil:
		ok, e := a.Store.RecordFollowUpChange(ctx, *in.FollowUp)
		res, err = recorded(ok, e, "follow-up", in.FollowUp.FollowUpID)
	case in.Inspection != nil:
		ok, e := a.Store.RecordInspectionChange(ctx, *in.Inspection)
		res, err = recorded(ok, e, "inspection", in.Inspection.InspectionID)
	case in.Outage != nil:
		ok, e := a.Store.RecordOutageChange(ctx, *in.Outage)
		res, err = recorded(ok, e, "outage", in.Outage.OutageID)
	case in.Contract != nil:
		ok, e := a.Store.RecordContractChange(ctx, *in.Contract)
		res, err = recorded(ok, e, "contract", in.Contract.ContractID)
	default:
		ok, e := a.Store.RecordCaseChange(ctx, *in.Case)
		res, err = recorded(ok, e, "case", in.Case.CaseID)
	}
	return res.Recorded, err
}

// recipients are who the escalation tells: when an earlier attempt
// recorded the event, the people it names; else the active staff with the
// role and the owner, each once, ascending. Staff that cannot be read for
// good leave the owner alone (logged).
func (a *Escalations) recipients(ctx context.Context, in EscalateInput, kind models.CaseKind, key string) ([]uint64, error) {
	ev, err := a.Store.CaseEventByKey(ctx, kind, key)
	switch {
	case err == nil:
		return splitIDs(ev.Detail["notified"]), nil
	case !errors.Is(err, models.ErrNotFound):
		return nil, permanent(err)
	}
	ids, err := a.Store.StaffToNotify(ctx, in.Message.EstateID, in.Role)
	if err != nil {
		if err = permanent(err); !temporal.IsApplicationError(err) {
			return nil, err
		}
		logFor(ctx, a.log()).ErrorContext(ctx, "recipients", "role", in.Role, "error", err)
		ids = nil
	}
	ids = append(slices.Clone(ids), in.Owner)
	slices.Sort(ids)
	return slices.DeleteFunc(slices.Compact(ids), func(id uint64) bool { return id == 0 }), nil
}

func (a *Escalations) log() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.Default()
}

// attempt is the activity's attempt, from 1; 1 outside an activity.
func attempt(ctx context.Context) int32 {
	if !activity.IsActivity(ctx) {
		return 1
	}
	return activity.GetInfo(ctx).Attempt
}

// joinIDs lists ids as the journal's detail does: "5,9"; "" for none.
func joinIDs(ids []uint64) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatUint(id, 10)
	}
	return strings.Join(out, ",")
}

// splitIDs reads a list joinIDs wrote; what is not an id is skipped.
func splitIDs(s string) []uint64 {
	var ids []uint64
	for _, f := range strings.Split(s, ",") {
		if id, err := strconv.ParseUint(f, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}
