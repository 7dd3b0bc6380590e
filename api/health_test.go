package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc"

	"github.com/wuye/wuye/store/storetest"
)

// namespaceTemporal is a Temporal client whose frontend answers and whose
// namespace lookup returns err.
type namespaceTemporal struct {
	client.Client
	err   error
	asked *string
}

func (f namespaceTemporal) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error) {
	return &client.CheckHealthResponse{}, nil
}

func (f namespaceTemporal) WorkflowService() workflowservice.WorkflowServiceClient {
	return namespaceService{err: f.err, asked: f.asked}
}

// namespaceService is a WorkflowService that answers DescribeNamespace.
type namespaceService struct {
	workflowservice.WorkflowServiceClient
	err   error
	asked *string
}

// DescribeNamespace is the only call readiness makes on the service.
func (s namespaceService) DescribeNamespace(_ context.Context, in *workflowservice.DescribeNamespaceRequest, _ ...grpc.CallOption) (*workflowservice.DescribeNamespaceResponse, error) {
	*s.asked = in.GetNamespace()
	if s.err != nil {
		return nil, s.err
	}
	return &workflowservice.DescribeNamespaceResponse{}, nil
}

// TestReadyzChecksTheNamespace: a frontend that answers is not enough, the
// service's namespace must exist (a worker polling a missing one does
// nothing); /readyz and the worker mode's ReadyHandler agree.
func TestReadyzChecksTheNamespace(t *testing.T) {
	s := storetest.SQLite(t, storetest.Options{})
	tests := []struct {
		give         error
		wantStatus   int
		wantTemporal string
	}{
		{nil, http.StatusOK, "ok"},
		{serviceerror.NewNamespaceNotFound("wuye"), http.StatusServiceUnavailable, "namespace not found"},
		{serviceerror.NewUnavailable("down"), http.StatusServiceUnavailable, "unavailable"},
	}
	for _, tt := range tests {
		var asked string
		tc := namespaceTemporal{err: tt.give, asked: &asked}
		api := New(Options{Store: s, Temporal: tc, Namespace: "wuye", Log: slog.New(slog.DiscardHandler)})
		for name, h := range map[string]http.Handler{
			"/readyz":      api.Handler(),
			"ReadyHandler": ReadyHandler(s, tc, "wuye", slog.New(slog.DiscardHandler)),
		} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			var got Readiness
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("%s: decode %q: %v", name, rec.Body, err)
			}
			if rec.Code != tt.wantStatus || got.Temporal != tt.wantTemporal || got.Database != "ok" || asked != "wuye" {
				t.Errorf("%s with namespace lookup %v: got %d %+v (asked for %q), want %d temporal %q, database ok, namespace wuye",
					name, tt.give, rec.Code, got, asked, tt.wantStatus, tt.wantTemporal)
			}
		}
	}
}
