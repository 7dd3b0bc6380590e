package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// updateTimeout bounds a staff action's round trip through its process.
const updateTimeout = 20 * time.Second

// loadScoped reads the record named by the :id path parameter inside the
// caller's estates with read, answering the error itself (404 for an absent
// record or one of another estate) and reporting whether to go on.
func loadScoped[T any](s *Server, c *gin.Context, read func(context.Context, store.Scope, uint64) (T, error)) (T, bool) {
	var v T
	id, err := pathID(c, "id")
	if err == nil {
		v, err = read(c.Request.Context(), caller(c).scope(), id)
	}
	if err != nil {
		respondError(c, s.log, err)
		return v, false
	}
	return v, true
}

// update sends a staff action to a running process as the workflow update
// name, with key as the update's ID (a random one when empty) so that the
// same key is applied once, and decodes the process's answer into out. A
// refusal by the update's validator comes back as its application error.
func (s *Server) update(ctx context.Context, workflowID, name, key string, arg, out any) error {
	if key == "" {
		key = randomKey()
	}
	uctx, cancel := context.WithTimeout(ctx, updateTimeout)
	defer cancel()
	h, err := s.temporal.UpdateWorkflow(uctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateID: key, UpdateName: name,
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	return h.Get(uctx, out)
}

// actionRequest reads what every process action carries: the :action path
// parameter (one of allowed, else 400), the Idempotency-Key header and an
// optional JSON body into dst. It answers a problem itself and reports
// whether to go on.
func (s *Server) actionRequest(c *gin.Context, allowed []string, dst any) (action, key string, ok bool) {
	action = c.Param("action")
	if !slices.Contains(allowed, action) {
		respondError(c, s.log, models.Invalid("action", "must be one of: %s", strings.Join(allowed, ", ")))
		return "", "", false
	}
	key, err := idempotencyKey(c)
	if err != nil {
		respondError(c, s.log, err)
		return "", "", false
	}
	if c.Request.ContentLength != 0 && !s.bindJSON(c, dst) {
		return "", "", false
	}
	return action, key, true
}

// checkAssignee reports whether staff id may be given work in estateID: an
// active account of that estate with one of roles (any role when none).
func (s *Server) checkAssignee(ctx context.Context, scope store.Scope, id, estateID uint64, roles ...models.Role) error {
	st, err := s.store.StaffMember(ctx, scope, id)
	if err != nil || st.EstateID == nil || *st.EstateID != estateID || !st.Active ||
		(len(roles) > 0 && !slices.Contains(roles, st.Role)) {
		return models.Invalid("assignee_id", "no active staff %d who can take this work in the estate", id)
	}
	return nil
}

func randomKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// describeTimeout bounds the look at a process whose state could not be read.
const describeTimeout = 3 * time.Second

// processFailingMessage tells staff on the console that a process is stuck.
const processFailingMessage = "流程执行出错，已通知运维；当前显示的是最后记录的状态"

// processHealth says that a process is stuck: its workflow task keeps
// failing (a bug in workflow code, a search attribute the cluster refuses),
// so it neither moves nor answers queries until operators fix the cause.
// What the answer shows beside it is the last state the database recorded.
type processHealth struct {
	// Status is "failing".
	Status string `json:"status"`
	// Message is for staff, in Chinese.
	Message string `json:"message"`
	// Attempt is how many times the stuck workflow task has been tried.
	Attempt int32 `json:"attempt"`
	// Since is when that task was first scheduled.
	Since *time.Time `json:"since,omitempty"`
}

// failingProcess looks at a process whose live state could not be read: a
// running workflow whose pending workflow task is past its first attempt is
// failing; anything else (or no answer) is nil. A workflow task retried once
// after a worker restart looks the same for a moment, but its process then
// answers queries again.
func (s *Server) failingProcess(ctx context.Context, workflowID string) *processHealth {
	ctx, cancel := context.WithTimeout(ctx, describeTimeout)
	defer cancel()
	desc, err := s.temporal.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		s.log.WarnContext(ctx, "describe process", "workflow_id", workflowID, "err", err)
		return nil
	}
	task := desc.GetPendingWorkflowTask()
	if desc.GetWorkflowExecutionInfo().GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_RUNNING || task.GetAttempt() <= 1 {
		return nil
	}
	h := &processHealth{Status: "failing", Message: processFailingMessage, Attempt: task.GetAttempt()}
	if t := task.GetOriginalScheduledTime(); t != nil {
		since := t.AsTime()
		h.Since = &since
	}
	s.log.ErrorContext(ctx, "process stuck on a failing workflow task: see wuye_workflow_task_failures_total and the worker's log",
		"workflow_id", workflowID, "attempt", h.Attempt, "since", h.Since)
	return h
}
