package api

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/mocks"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store/storetest"
	"github.com/wuye/wuye/workflows"
)

// described is a DescribeWorkflowExecution answer: a workflow in status
// with a pending workflow task at attempt (none when 0), first scheduled at
// since.
func described(status enums.WorkflowExecutionStatus, attempt int32, since time.Time) *workflowservice.DescribeWorkflowExecutionResponse {
	d := &workflowservice.DescribeWorkflowExecutionResponse{WorkflowExecutionInfo: &workflow.WorkflowExecutionInfo{Status: status}}
	if attempt > 0 {
		d.PendingWorkflowTask = &workflow.PendingWorkflowTaskInfo{Attempt: attempt, OriginalScheduledTime: timestamppb.New(since)}
	}
	return d
}

// TestTicketDetailSaysTheProcessIsFailing: when the live state cannot be
// read, the detail still answers 200 with the recorded ticket, and says
// "failing" (with the console's message) only when Temporal shows the
// process stuck on a workflow task past its first attempt. The fake client
// stands in for Temporal; app's TestStuckTicketShowsFailing does it on the
// real embedded server.
func TestTicketDetailSaysTheProcessIsFailing(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, storetest.Options{}))
	since := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	running := enums.WORKFLOW_EXECUTION_STATUS_RUNNING
	tests := []struct {
		name        string
		giveQuery   error
		giveDesc    *workflowservice.DescribeWorkflowExecutionResponse
		giveDescErr error
		wantAttempt int32 // 0: not failing
	}{
		{"query refused, task failing", serviceerror.NewQueryFailed("workflow task failed"), described(running, 4, since), nil, 4},
		{"query timed out, task failing", context.DeadlineExceeded, described(running, 2, since), nil, 2},
		{"first attempt", serviceerror.NewUnavailable("down"), described(running, 1, since), nil, 0},
		{"no pending task", serviceerror.NewUnavailable("down"), described(running, 0, since), nil, 0},
		{"finished", serviceerror.NewUnavailable("down"), described(enums.WORKFLOW_EXECUTION_STATUS_TERMINATED, 3, since), nil, 0},
		{"describe fails too", serviceerror.NewUnavailable("down"), nil, serviceerror.NewUnavailable("down"), 0},
	}
	id := workflows.TicketWorkflowID(h.a.ticket.ID)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := &mocks.Client{}
			withTemporal(h, tc)
			tc.On("QueryWorkflow", mock.Anything, id, "", workflows.TicketStateQuery).Return(nil, tt.giveQuery).Once()
			tc.On("DescribeWorkflowExecution", mock.Anything, id, "").Return(tt.giveDesc, tt.giveDescErr).Once()
			var d struct {
				Ticket        models.Ticket `json:"ticket"`
				Process       any           `json:"process"`
				ProcessError  string        `json:"process_error"`
				ProcessHealth *struct {
					Status  string     `json:"status"`
					Message string     `json:"message"`
					Attempt int32      `json:"attempt"`
					Since   *time.Time `json:"since"`
				} `json:"process_health"`
			}
			h.wantStatus(h.do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", h.a.ticket.ID), h.tokens[models.RoleCustomerService], nil, &d), http.StatusOK)
			if d.Ticket.ID != h.a.ticket.ID || d.Process != nil || d.ProcessError == "" {
				t.Errorf("detail: got ticket %d, process %v, process_error %q; want the recorded ticket %d, no process, an error",
					d.Ticket.ID, d.Process, d.ProcessError, h.a.ticket.ID)
			}
			switch ph := d.ProcessHealth; {
			case tt.wantAttempt == 0 && ph != nil:
				t.Errorf("process_health: got %+v, want none", *ph)
			case tt.wantAttempt == 0:
			case ph == nil:
				t.Errorf("process_health: got none, want failing at attempt %d", tt.wantAttempt)
			case ph.Status != "failing" || ph.Message != "流程执行出错，已通知运维；当前显示的是最后记录的状态" || ph.Attempt != tt.wantAttempt ||
				ph.Since == nil || !ph.Since.Equal(since):
				t.Errorf("process_health: got %+v, want failing, the console's message, attempt %d, since %v", *ph, tt.wantAttempt, since)
			}
			tc.AssertExpectations(t)
		})
	}
}
