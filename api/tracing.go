package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// trace opens a server span per request and puts it into the request's
// context, so that the workflow a handler starts or acts on (through the
// Temporal client's tracing interceptor) links under it. Installed only
// when Options.Tracer is set.
func (s *Server) trace(c *gin.Context) {
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	ctx, span := s.tracer.Start(c.Request.Context(), c.Request.Method+" "+route,
		trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.request.method", c.Request.Method),
			attribute.String("http.route", c.FullPath()), attribute.String("request_id", RequestID(c.Request.Context()))))
	defer span.End()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
	status := c.Writer.Status()
	span.SetAttributes(attribute.Int("http.response.status_code", status))
	if status >= http.StatusInternalServerError {
		span.SetStatus(codes.Error, http.StatusText(status))
	}
}
