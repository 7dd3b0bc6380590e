package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// caseMessages lists, as caller p may see them, the messages sent about the
// case whose message reference is ref ("ticket:12"), newest first, each
// with its deliveries (the channels tried and how each went).
func (s *Server) caseMessages(ctx context.Context, p principal, ref string) ([]models.Message, error) {
	msgs, err := s.store.Messages(ctx, p.scope(), store.MessageFilter{Ref: ref}, store.Page{Size: store.MaxPageSize})
	if err != nil {
		return nil, err
	}
	if err := s.store.WithDeliveries(ctx, msgs.Items); err != nil {
		return nil, err
	}
	return p.viewMessages(msgs.Items), nil
}

// liveTimeout bounds the live reads of a detail page.
const liveTimeout = 5 * time.Second

// liveFields are what every detail answer says of its case's process beside
// the live view itself; embedded, they sit at the answer's top level.
type liveFields struct {
	// ProcessError says why the live view (process) is null: it cannot be
	// read right now.
	ProcessError string `json:"process_error,omitempty"`
	// ProcessHealth is set when the process is stuck on a failing task: the
	// record and its timeline are then the last recorded state.
	ProcessHealth *processHealth `json:"process_health,omitempty"`
	// AllowedActions are the actions the caller may take now (the state and
	// the role allow them; a form may still need filling in).
	AllowedActions []string `json:"allowed_actions"`
}

// processDetail is what the detail answer of a case shows of its process
// beside the case's own record: its workflow, its live view in the API's
// style, the messages sent about the case, and the liveFields.
type processDetail[P any] struct {
	WorkflowID string `json:"workflow_id"`
	// Process is the live state from the workflow; null when it cannot be
	// read right now (ProcessError says why).
	Process  *P               `json:"process"`
	Messages []models.Message `json:"messages"`
	liveFields
}

// readDetail reads the processDetail of the case with business key key
// through pc; ref is the case's message reference, running and view are as
// for readLive.
func readDetail[V, P any](s *Server, ctx context.Context, pc workflows.Client[V], key uint64, p principal, ref string,
	running func(V) bool, view func(V) *P) (processDetail[P], error) {
	out := processDetail[P]{WorkflowID: pc.Process.WorkflowID(key)}
	var err error
	if out.Messages, err = s.caseMessages(ctx, p, ref); err != nil {
		return out, err
	}
	out.Process, out.liveFields = readLive(s, ctx, pc, key, p, running, view)
	return out, nil
}

// readLive reads what every detail page shows of its case's process: the
// live view of the case with business key key through pc, in the API's
// style (view), and the liveFields, with, while running(view) holds, the
// actions caller p may take. A process that cannot be read is no error: the
// view is nil and the page shows its read model.
func readLive[V, P any](s *Server, ctx context.Context, pc workflows.Client[V], key uint64, p principal,
	running func(V) bool, view func(V) *P) (*P, liveFields) {
	out := liveFields{AllowedActions: []string{}}
	qctx, cancel := context.WithTimeout(ctx, liveTimeout)
	defer cancel()
	v, err := pc.State(qctx, key)
	if err != nil {
		s.log.WarnContext(ctx, "process state query", "workflow_id", pc.Process.WorkflowID(key), "err", err)
		out.ProcessError = "the live process state is not available right now"
		out.ProcessHealth = s.failingProcess(ctx, pc.Process.WorkflowID(key))
		return nil, out
	}
	if running(v) {
		in := workflows.AllowedActionsInput{ActorID: p.Staff.ID, ActorRole: p.Staff.Role}
		if out.AllowedActions, err = pc.Allowed(qctx, key, in); err != nil {
			s.log.WarnContext(ctx, "process allowed actions query", "workflow_id", pc.Process.WorkflowID(key), "err", err)
			out.AllowedActions = []string{}
		}
	}
	return view(v), out
}

// act sends a staff action to the case with business key key through pc,
// updateKey making it idempotent. A process that ended between the caller's
// read and the update is a 409 with the state ended reads from the read
// model; a refusal by the process comes back as its application error.
func act[V any](ctx context.Context, pc workflows.Client[V], key uint64, updateKey string, action any, ended func() (string, error)) (V, error) {
	v, err := pc.Act(ctx, key, updateKey, action)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		if state, rerr := ended(); rerr == nil {
			err = &stateError{state: state, msg: "流程已结束"}
		}
	}
	return v, err
}

// startProcess starts the workflow of a case whose rows are written, even
// if the client has gone away meanwhile. A workflow of the same ID already
// running or finished is no error: the ID is the case's.
func (s *Server) startProcess(ctx context.Context, workflowID string, workflow, input any) error {
	sctx, cancel := detached(ctx, 30*time.Second)
	defer cancel()
	return workflows.StartOnce(sctx, s.temporal, workflowID, enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE, workflow, input)
}

// bindIdempotent binds the body into dst like bindJSON and reads the
// Idempotency-Key bound to it (idempotent). It answers a problem itself and
// reports whether to go on.
func (s *Server) bindIdempotent(c *gin.Context, dst any) (key string, ok bool) {
	if !s.bindJSON(c, dst) {
		return "", false
	}
	key, err := s.idempotent(c, dst)
	if err != nil {
		respondError(c, s.log, err)
		return "", false
	}
	return key, true
}

// actionCase is what an action request is checked against of the case it
// acts on.
type actionCase struct {
	noun   string // what the case is, for people: "工单"
	status string
	// ended: the case's process has ended, and takes no action (409).
	ended    bool
	estateID uint64
	// assignees are the roles that may be given the case's work; any when
	// none.
	assignees []models.Role
}

// actionBody is the body of a process action: it may name an assignee (0
// when it names none).
type actionBody interface{ assignee() uint64 }

// actionRequest reads what every process action carries: the :action path
// parameter (one of allowed, else 400), an optional JSON body into dst and
// the Idempotency-Key header; then it refuses an action on a case that has
// ended (409) and an assignee who may not take its work (400). It answers a
// problem itself and reports whether to go on.
func (s *Server) actionRequest(c *gin.Context, allowed []string, dst actionBody, on actionCase) (action, key string, ok bool) {
	action = c.Param("action")
	if !slices.Contains(allowed, action) {
		respondError(c, s.log, models.Invalid("action", "应为以下之一：%s", strings.Join(allowed, "、")))
		return "", "", false
	}
	if !s.bindOptional(c, dst) {
		return "", "", false
	}
	key, err := s.idempotent(c, dst)
	if err == nil && on.ended {
		err = &stateError{state: on.status, msg: on.noun + "已结束"}
	}
	if id := dst.assignee(); err == nil && id != 0 {
		err = s.checkAssignee(c.Request.Context(), caller(c).scope(), id, on.estateID, on.assignees...)
	}
	if err != nil {
		respondError(c, s.log, err)
		return "", "", false
	}
	return action, key, true
}

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 100

// idempotent reads the Idempotency-Key header and binds it to the caller and
// to what the request asks: its route, path parameters (the record and the
// action) and req, the decoded body. It returns the key to hand on (to the
// store or as a workflow update's ID), made the caller's own so that two
// callers' keys never meet, or "" without the header. The same key with
// another request is refused (422), never answered with the first one's
// result.
func (s *Server) idempotent(c *gin.Context, req any) (string, error) {
	k := strings.TrimSpace(c.GetHeader("Idempotency-Key"))
	if k == "" {
		return "", nil
	}
	if len(k) > maxIdempotencyKey {
		return "", models.Invalid("Idempotency-Key", "不能超过 %d 个字符", maxIdempotencyKey)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return "", fmt.Errorf("fingerprint request: %w", err)
	}
	fp := sha256.New()
	fmt.Fprintf(fp, "%s %s\n", c.Request.Method, c.FullPath())
	for _, p := range c.Params {
		fmt.Fprintf(fp, "%s=%s\n", p.Key, p.Value)
	}
	fp.Write(body)
	staffID := caller(c).Staff.ID
	keyHash := sha256.Sum256([]byte(k))
	if err := s.store.ClaimIdempotencyKey(c.Request.Context(), staffID, hex.EncodeToString(keyHash[:]),
		hex.EncodeToString(fp.Sum(nil))); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d-%s", staffID, hex.EncodeToString(keyHash[:20])), nil
}

// checkAssignee reports whether staff id may be given work in estateID: an
// active account of that estate with one of roles (any role when none).
func (s *Server) checkAssignee(ctx context.Context, scope store.Scope, id, estateID uint64, roles ...models.Role) error {
	st, err := s.store.StaffMember(ctx, scope, id)
	if err != nil || st.EstateID == nil || *st.EstateID != estateID || !st.Active ||
		(len(roles) > 0 && !slices.Contains(roles, st.Role)) {
		return models.Invalid("assignee_id", "该小区没有可接手这项工作的在岗员工 %d", id)
	}
	return nil
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
