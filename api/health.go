package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/wuye/wuye/store"
)

// readyTimeout bounds a readiness check.
const readyTimeout = 3 * time.Second

// healthz answers while the process is up.
func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// Readiness is the body of /readyz: "ready", or "unavailable" with the part
// that is not ("ok", "unavailable", "not configured", "namespace not found").
type Readiness struct {
	Status   string `json:"status"`
	Database string `json:"database"`
	Temporal string `json:"temporal"`
}

// readyz answers 200 when the database and Temporal both answer, else 503
// naming the one that did not.
func (s *Server) readyz(c *gin.Context) {
	r, status := CheckReady(c.Request.Context(), s.store, s.temporal, s.namespace, s.log)
	c.JSON(status, r)
}

// CheckReady asks the database and Temporal whether they answer, Temporal
// for the namespace too: a worker polls a namespace, so one that is missing
// (deleted, or never created) leaves the process up but doing nothing. It
// returns the body and status of /readyz: 200 when both answer, else 503.
func CheckReady(ctx context.Context, db *store.Store, tc client.Client, namespace string, log *slog.Logger) (Readiness, int) {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	r := Readiness{Status: "ready", Database: "ok", Temporal: "ok"}
	if err := db.Ping(ctx); err != nil {
		log.WarnContext(ctx, "readiness: database", "err", err)
		r.Status, r.Database = "unavailable", "unavailable"
	}
	if r.Temporal = temporalReadiness(ctx, tc, namespace, log); r.Temporal != "ok" {
		r.Status = "unavailable"
	}
	if r.Status != "ready" {
		return r, http.StatusServiceUnavailable
	}
	return r, http.StatusOK
}

func temporalReadiness(ctx context.Context, tc client.Client, namespace string, log *slog.Logger) string {
	if tc == nil {
		return "not configured"
	}
	if _, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		log.WarnContext(ctx, "readiness: temporal", "err", err)
		return "unavailable"
	}
	if namespace == "" {
		return "ok"
	}
	_, err := tc.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
	var (
		nsNotFound *serviceerror.NamespaceNotFound
		notFound   *serviceerror.NotFound
	)
	switch {
	case errors.As(err, &nsNotFound), errors.As(err, &notFound):
		log.WarnContext(ctx, "readiness: temporal namespace not found", "namespace", namespace, "err", err)
		return "namespace not found"
	case err != nil:
		log.WarnContext(ctx, "readiness: temporal namespace", "namespace", namespace, "err", err)
		return "unavailable"
	}
	return "ok"
}

// ReadyHandler serves CheckReady as /readyz, for a process without the API
// (the worker mode).
func ReadyHandler(db *store.Store, tc client.Client, namespace string, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r, status := CheckReady(req.Context(), db, tc, namespace, log)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(r)
	})
}
