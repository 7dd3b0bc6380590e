package api

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func TestTracing(t *testing.T) {
	tests := []struct {
		name      string
		on        bool
		wantSpans int
	}{
		{name: "off", on: false, wantSpans: 0},
		{name: "on", on: true, wantSpans: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp := tracetest.NewInMemoryExporter()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
			t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
			opts := Options{}
			if tt.on {
				opts.Tracer = tp.Tracer("wuye")
			}
			s := New(opts)
			var handlerSpan trace.SpanContext
			s.Engine().GET("/test/traced/:id", func(c *gin.Context) {
				handlerSpan = trace.SpanContextFromContext(c.Request.Context())
				c.Status(http.StatusNoContent)
			})
			req := httptest.NewRequest(http.MethodGet, "/test/traced/7", nil)
			req.Header.Set(RequestIDHeader, "trace-1")
			s.Handler().ServeHTTP(httptest.NewRecorder(), req)

			spans := exp.GetSpans()
			if len(spans) != tt.wantSpans {
				t.Fatalf("got %d spans, want %d", len(spans), tt.wantSpans)
			}
			if !tt.on {
				if handlerSpan.IsValid() {
					t.Errorf("got span %v in the handler's context, want none", handlerSpan)
				}
				return
			}
			sp := spans[0]
			if sp.Name != "GET /test/traced/:id" || sp.SpanKind != trace.SpanKindServer {
				t.Errorf("got span %q of kind %v, want \"GET /test/traced/:id\" of kind server", sp.Name, sp.SpanKind)
			}
			// The handler (and the workflow start it makes) runs within the span.
			if handlerSpan.SpanID() != sp.SpanContext.SpanID() {
				t.Errorf("got span %v in the handler's context, want the request's %v", handlerSpan.SpanID(), sp.SpanContext.SpanID())
			}
			want := map[attribute.Key]attribute.Value{
				"http.response.status_code": attribute.IntValue(http.StatusNoContent),
				"request_id":                attribute.StringValue("trace-1"),
			}
			for _, a := range sp.Attributes {
				if w, ok := want[a.Key]; ok && w == a.Value {
					delete(want, a.Key)
				}
			}
			if len(want) != 0 {
				t.Errorf("got attributes %v, want also %v", sp.Attributes, want)
			}
		})
	}
}
