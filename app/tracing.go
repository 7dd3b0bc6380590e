package app

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"

	"github.com/wuye/wuye/config"
)

// startTracing builds the tracer provider that sends spans to the OTLP/gRPC
// collector the standard OTEL_EXPORTER_OTLP_* variables name, when
// cfg switches tracing on; otherwise it creates nothing and returns nil.
func startTracing(ctx context.Context, cfg config.Config) (*sdktrace.TracerProvider, error) {
	if !cfg.TracingOn() {
		return nil, nil
	}
	exp, err := otlptracegrpc.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("OTLP trace exporter: %w", err)
	}
	res := resource.NewSchemaless(attribute.String("service.name", "wuye"))
	return sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res)), nil
}

// tracer is the service's tracer from tp, nil when tracing is off.
func tracer(tp *sdktrace.TracerProvider) trace.Tracer {
	if tp == nil {
		return nil
	}
	return tp.Tracer("github.com/wuye/wuye")
}

// tracingInterceptor is the Temporal SDK's tracing interceptor on tp: the
// client's calls (a workflow start, an update) and, in the worker built on
// that client, the workflows and activities get spans linked to the
// caller's.
func tracingInterceptor(tp *sdktrace.TracerProvider) (interceptor.Interceptor, error) {
	i, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{Tracer: tp.Tracer("temporal-sdk-go")})
	if err != nil {
		return nil, fmt.Errorf("Temporal tracing interceptor: %w", err)
	}
	return i, nil
}
