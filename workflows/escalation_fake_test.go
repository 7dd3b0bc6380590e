package workflows

import (
	"context"
	"sync"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/wuye/wuye/activities"
	"github.com/wuye/wuye/models"
)

// escalationFake is the store and sender of the real escalation activity
// in a workflow test: it records through the harness's record, reads the
// roles' staff from staff and sends through the harness's send, so that an
// escalation leaves the same records and sends its mocks collected before.
type escalationFake struct {
	// CaseStore answers the kinds an escalation never records (nil: a call
	// panics, which a test would show).
	activities.CaseStore
	staff    map[models.Role][]uint64
	ticket   func(activities.RecordInput)
	followUp func(activities.FollowUpRecordInput)
	// collection, when set, keeps a collection case's change (nil: it is
	// taken and dropped).
	collection func(activities.RecordCaseInput)
	// The newer processes' records (nil: a call panics).
	inspection func(activities.RecordInspectionInput)
	outage     func(activities.OutageRecordInput)
	contract   func(activities.RecordContractInput)
	send       func(activities.SendInput) activities.SendResult
}

func (f *escalationFake) RecordInspectionChange(_ context.Context, c activities.RecordInspectionInput) (bool, error) {
	f.inspection(c)
	return true, nil
}

func (f *escalationFake) RecordOutageChange(_ context.Context, c activities.OutageRecordInput) (bool, error) {
	f.outage(c)
	return true, nil
}

func (f *escalationFake) RecordContractChange(_ context.Context, c activities.RecordContractInput) (bool, error) {
	f.contract(c)
	return true, nil
}

func (f *escalationFake) RecordTicketChange(_ context.Context, c activities.RecordInput) (bool, error) {
	f.ticket(c)
	return true, nil
}

func (f *escalationFake) RecordFollowUpChange(_ context.Context, c activities.FollowUpRecordInput) (bool, error) {
	f.followUp(c)
	return true, nil
}

func (f *escalationFake) RecordCaseChange(_ context.Context, c activities.RecordCaseInput) (bool, error) {
	if f.collection != nil {
		f.collection(c)
	}
	return true, nil
}

func (f *escalationFake) StaffToNotify(_ context.Context, _ uint64, role models.Role) ([]uint64, error) {
	return f.staff[role], nil
}

func (f *escalationFake) CaseEventByKey(context.Context, models.CaseKind, string) (models.CaseEvent, error) {
	return models.CaseEvent{}, models.ErrNotFound
}

func (f *escalationFake) Send(_ context.Context, in activities.SendInput) (activities.SendResult, error) {
	return f.send(in), nil
}

// mockEscalations runs every Escalate call of env's workflow through the
// real activity over f.
func mockEscalations(env *testsuite.TestWorkflowEnvironment, f *escalationFake) {
	var e *activities.Escalations
	real := &activities.Escalations{Store: f, Sender: f}
	env.OnActivity(e.Escalate, mock.Anything, mock.Anything).Return(real.Escalate)
}

// harnessSend is a harness's Send: it keeps each message in *sends, sent
// at the workflow's time, and answers it sent (or what *sendAs, when
// sendAs and *sendAs are set, makes of that).
func harnessSend(mu *sync.Mutex, sends *[]sent, env *testsuite.TestWorkflowEnvironment,
	sendAs *func(activities.SendInput, activities.SendResult) activities.SendResult) func(activities.SendInput) activities.SendResult {
	return func(in activities.SendInput) activities.SendResult {
		mu.Lock()
		defer mu.Unlock()
		*sends = append(*sends, sent{At: env.Now().In(shanghai), In: in})
		res := activities.SendResult{MessageID: uint64(len(*sends)), Status: models.MessageSent, Attempts: 1}
		if sendAs != nil && *sendAs != nil {
			res = (*sendAs)(in, res)
		}
		return res
	}
}

// keeper keeps each value it is given in *list, under mu.
func keeper[T any](mu *sync.Mutex, list *[]T) func(T) {
	return func(v T) {
		mu.Lock()
		defer mu.Unlock()
		*list = append(*list, v)
	}
}
