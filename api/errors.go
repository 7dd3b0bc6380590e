package api

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/workflows"
)

// Error codes of the JSON error body. Clients branch on the code; the message
// is for people and never carries internal detail.
const (
	codeInvalidInput = "invalid_input"
	codeUnauthorized = "unauthorized"
	codeForbidden    = "forbidden"
	// codePasswordChange: the account must change its one-time password
	// before anything else.
	codePasswordChange = "password_change_required"
	// codeTooManyAttempts: sign-in is locked for a while after repeated
	// failures (429 with Retry-After).
	codeTooManyAttempts = "too_many_attempts"
	// codeTooManyRequests: a limit per hour was reached (429 with
	// Retry-After), such as the photos one person uploads.
	codeTooManyRequests = "too_many_requests"
	codeNotFound        = "not_found"
	codeConflict        = "conflict"
	codeInvalidState    = "invalid_state"
	// codeKeyReused: an Idempotency-Key already used with another request.
	codeKeyReused   = "idempotency_key_reused"
	codeUnavailable = "unavailable"
	codeTimeout     = "timeout"
	codeInternal    = "internal"
)

// errorBody is {"error": {...}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field names the offending input for invalid_input.
	Field string `json:"field,omitempty"`
	// State is the process's current state for invalid_state.
	State string `json:"state,omitempty"`
}

// stateError is an action the process's current state does not allow.
type stateError struct {
	state string
	msg   string
}

func (e *stateError) Error() string { return e.msg }
func (e *stateError) Is(target error) bool {
	return target == models.ErrInvalidState
}

// referenced is err of reading the record a request body names by its ID
// in field: a record that is not found makes the body invalid (400 naming
// the field), not the route's resource missing (404).
func referenced(err error, field, what string, id uint64) error {
	if errors.Is(err, models.ErrNotFound) {
		return models.Invalid(field, "%s %d 不存在，或不属于您所在的小区", what, id)
	}
	return err
}

// refusedByState reports whether err says that a process's state no longer
// allows an action: its update validator refused it as invalid in the
// current state, or the process has ended.
func refusedByState(err error) bool {
	var (
		app *temporal.ApplicationError
		nf  *serviceerror.NotFound
	)
	return errors.As(err, &app) && app.Type() == workflows.ErrTypeInvalidState || errors.As(err, &nf)
}

// respondError maps err to its status code and body, logging what the client
// does not see. It is the only place that decides an error's status.
//
//   - *models.ValidationError → 400 with the field
//   - *unauthorizedError → 401 (a payment notification's signature or timestamp)
//   - models.ErrForbidden → 403 (only for a role that may not act on a record it can see)
//   - models.ErrNotFound → 404 (also for records outside the caller's estates)
//   - models.ErrConflict, a workflow that already exists → 409 conflict
//   - models.ErrInvalidState, a refused workflow update → 409 invalid_state with the current state
//   - store.ErrKeyReused → 422 idempotency_key_reused
//   - *models.RateLimitError → 429 too_many_requests with Retry-After
//   - deadline exceeded → 504; database or Temporal unreachable → 503
//   - anything else → 500 with a generic message
func respondError(c *gin.Context, log *slog.Logger, err error) {
	status, body := classify(err)
	var limited *models.RateLimitError
	if errors.As(err, &limited) {
		c.Header("Retry-After", strconv.FormatInt(int64(max(math.Ceil(limited.RetryAfter.Seconds()), 1)), 10))
	}
	if status >= http.StatusInternalServerError {
		log.ErrorContext(c.Request.Context(), "request failed", "method", c.Request.Method,
			"route", c.FullPath(), "status", status, "err", err)
	}
	c.AbortWithStatusJSON(status, errorBody{Error: body})
}

func classify(err error) (int, errorDetail) {
	var (
		ve       *models.ValidationError
		se       *stateError
		unauth   *unauthorizedError
		app      *temporal.ApplicationError
		exists   *serviceerror.WorkflowExecutionAlreadyStarted
		notFound *serviceerror.NotFound
		unavail  *serviceerror.Unavailable
		limited  *models.RateLimitError
	)
	switch {
	case errors.As(err, &limited):
		return http.StatusTooManyRequests, errorDetail{Code: codeTooManyRequests, Message: limited.Reason}
	case errors.As(err, &ve):
		return http.StatusBadRequest, errorDetail{Code: codeInvalidInput, Message: ve.Reason, Field: ve.Field}
	case errors.As(err, &unauth):
		return http.StatusUnauthorized, errorDetail{Code: codeUnauthorized, Message: unauth.msg}
	case errors.As(err, &se):
		return http.StatusConflict, errorDetail{Code: codeInvalidState, Message: se.msg, State: se.state}
	case errors.As(err, &app):
		return classifyApplication(app)
	case errors.Is(err, store.ErrKeyReused):
		return http.StatusUnprocessableEntity, errorDetail{Code: codeKeyReused,
			Message: "该 Idempotency-Key 已用于另一个请求；新的请求请使用新的 Key"}
	case errors.Is(err, models.ErrForbidden):
		return http.StatusForbidden, errorDetail{Code: codeForbidden, Message: "您的角色无权执行此操作"}
	case errors.Is(err, models.ErrNotFound), errors.As(err, &notFound):
		return http.StatusNotFound, errorDetail{Code: codeNotFound, Message: "记录不存在，或不属于您所在的小区"}
	case errors.Is(err, models.ErrConflict), errors.As(err, &exists):
		return http.StatusConflict, errorDetail{Code: codeConflict, Message: "记录已存在"}
	case errors.Is(err, models.ErrInvalidState):
		return http.StatusConflict, errorDetail{Code: codeInvalidState, Message: "当前状态不允许此操作"}
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, errorDetail{Code: codeTimeout, Message: "请求超时；操作可能仍会完成，请稍后刷新查看"}
	case errors.As(err, &unavail), errors.Is(err, models.ErrUnavailable):
		return http.StatusServiceUnavailable, errorDetail{Code: codeUnavailable, Message: "后台服务暂不可用，请稍后再试"}
	}
	return http.StatusInternalServerError, errorDetail{Code: codeInternal, Message: "系统内部错误"}
}

// classifyApplication maps the error types a workflow's update validator
// rejects with (workflows.ErrType*).
func classifyApplication(app *temporal.ApplicationError) (int, errorDetail) {
	var detail string
	if app.HasDetails() {
		_ = app.Details(&detail)
	}
	switch app.Type() {
	case workflows.ErrTypeInvalidState:
		return http.StatusConflict, errorDetail{Code: codeInvalidState, Message: forPeople(app.Message(), "当前状态不允许此操作"), State: detail}
	case workflows.ErrTypeForbidden:
		return http.StatusForbidden, errorDetail{Code: codeForbidden, Message: forPeople(app.Message(), "您的角色无权执行此操作")}
	case workflows.ErrTypeInvalidInput:
		// The workflow's message names the field for its own history; the
		// answer names it in field.
		return http.StatusBadRequest, errorDetail{Code: codeInvalidInput,
			Message: forPeople(strings.TrimPrefix(app.Message(), detail+": "), "输入无效"), Field: detail}
	}
	return http.StatusInternalServerError, errorDetail{Code: codeInternal, Message: "系统内部错误"}
}

// forPeople returns a workflow's message when it is written for people (in
// Chinese), else fallback: some refusals of the workflows are still worded
// in English for their histories, and the answer's message is read by staff.
func forPeople(msg, fallback string) string {
	for _, r := range msg {
		if unicode.Is(unicode.Han, r) {
			return msg
		}
	}
	return fallback
}
