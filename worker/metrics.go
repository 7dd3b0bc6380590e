package worker

import (
	"maps"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// SDK metric and tag names read by TaskFailures (the SDK's own, stable across SDKs).
const (
	sdkTaskFailed     = "temporal_workflow_task_execution_failed"
	sdkRequestFailed  = "temporal_request_failure"
	sdkWorkflowType   = "workflow_type"
	sdkFailureReason  = "failure_reason"
	sdkOperation      = "operation"
	sdkStatusCode     = "status_code"
	respondCompleted  = "RespondWorkflowTaskCompleted"
	invalidArgument   = "INVALID_ARGUMENT"
	reasonRejected    = "Rejected"
	taskFailuresName  = "wuye_workflow_task_failures_total"
	taskFailuresHelp  = "Workflow tasks that failed, by workflow type and reason. The server retries a failing task without end and its process does not move: alert on any increase."
	workflowTypeLabel = "workflow_type"
	reasonLabel       = "reason"
)

// TaskFailures counts the workflow tasks that fail, for Prometheus
// (wuye_workflow_task_failures_total{workflow_type, reason}). Give Handler to
// the SDK client (client.Options.MetricsHandler) and register TaskFailures as
// a collector where /metrics is served.
//
// Two kinds of failure are counted, each as the SDK reports it:
//   - the worker failed the task itself (temporal_workflow_task_execution_failed):
//     a panic in workflow code (reason WorkflowError), a change that is not
//     deterministic (NonDeterminismError), a payload too large;
//   - the server refused the task's result (temporal_request_failure of
//     RespondWorkflowTaskCompleted with INVALID_ARGUMENT, reason Rejected):
//     a search attribute that is missing or of another type
//     (BAD_SEARCH_ATTRIBUTES), and other commands the server rejects.
//
// The SDK's other metrics are dropped.
type TaskFailures struct {
	count *prometheus.CounterVec
}

// NewTaskFailures returns a counter at zero.
func NewTaskFailures() *TaskFailures {
	return &TaskFailures{count: prometheus.NewCounterVec(prometheus.CounterOpts{Name: taskFailuresName, Help: taskFailuresHelp},
		[]string{workflowTypeLabel, reasonLabel})}
}

// Describe implements prometheus.Collector.
func (f *TaskFailures) Describe(ch chan<- *prometheus.Desc) { f.count.Describe(ch) }

// Collect implements prometheus.Collector.
func (f *TaskFailures) Collect(ch chan<- prometheus.Metric) { f.count.Collect(ch) }

// Handler is the SDK metrics handler that feeds the counter.
func (f *TaskFailures) Handler() client.MetricsHandler { return taskHandler{f: f} }

// taskHandler is the SDK's view of TaskFailures: it keeps the tags the SDK
// sets and turns the two failure counters into increments.
type taskHandler struct {
	f    *TaskFailures
	tags map[string]string
}

func (h taskHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := make(map[string]string, len(h.tags)+len(tags))
	maps.Copy(merged, h.tags)
	maps.Copy(merged, tags)
	return taskHandler{f: h.f, tags: merged}
}

func (h taskHandler) Counter(name string) client.MetricsCounter {
	var reason string
	switch {
	case name == sdkTaskFailed:
		reason = h.tags[sdkFailureReason]
	case name == sdkRequestFailed && h.tags[sdkOperation] == respondCompleted && h.tags[sdkStatusCode] == invalidArgument:
		reason = reasonRejected
	default:
		return client.MetricsNopHandler.Counter(name)
	}
	c := h.f.count.WithLabelValues(h.tags[sdkWorkflowType], reason)
	return counterFunc(func(n int64) { c.Add(float64(n)) })
}

func (h taskHandler) Gauge(name string) client.MetricsGauge {
	return client.MetricsNopHandler.Gauge(name)
}

func (h taskHandler) Timer(name string) client.MetricsTimer {
	return client.MetricsNopHandler.Timer(name)
}

// counterFunc is a client.MetricsCounter.
type counterFunc func(int64)

func (f counterFunc) Inc(n int64) { f(n) }
