package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"
)

// healthz answers while the process is up.
func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

type readiness struct {
	Status   string `json:"status"`
	Database string `json:"database"`
	Temporal string `json:"temporal"`
}

// readyz answers 200 when the database and Temporal both answer, else 503
// naming the one that did not.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	r := readiness{Status: "ready", Database: "ok", Temporal: "ok"}
	if err := s.store.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "readiness: database", "err", err)
		r.Status, r.Database = "unavailable", "unavailable"
	}
	if s.temporal == nil {
		r.Status, r.Temporal = "unavailable", "not configured"
	} else if _, err := s.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		s.log.WarnContext(ctx, "readiness: temporal", "err", err)
		r.Status, r.Temporal = "unavailable", "unavailable"
	}
	status := http.StatusOK
	if r.Status != "ready" {
		status = http.StatusServiceUnavailable
	}
	c.JSON(status, r)
}
