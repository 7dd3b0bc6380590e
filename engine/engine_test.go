package engine

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

const (
	testNamespace = "engine-test"
	testQueue     = "engine-test"
)

func greet(_ workflow.Context, name string) (string, error) {
	return "hello " + name, nil
}

func waitAnHour(ctx workflow.Context) error {
	return workflow.Sleep(ctx, time.Hour)
}

// TestStartRunStopRestart starts the server on a new file, runs a workflow, leaves one
// waiting on a timer, restarts on the same file and finds it still running.
func TestStartRunStopRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	dir := filepath.Join(t.TempDir(), "engine")
	opts := Options{
		DataDir:          dir,
		Namespace:        testNamespace,
		UIPort:           -1,
		SearchAttributes: DefaultSearchAttributes(),
		Logger:           logger,
	}

	begin := time.Now()
	srv, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("Start on a new file: %v", err)
	}
	t.Logf("first start took %v, frontend at %s", time.Since(begin), srv.FrontendAddress())
	if got := srv.UIAddress(); got != "" {
		t.Errorf("UIAddress without a UI: got %q, want empty", got)
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("data dir: got %v (err %v), want mode 0700", info.Mode().Perm(), err)
	}

	c := dial(t, srv, logger)
	w := worker.New(c, testQueue, worker.Options{})
	w.RegisterWorkflow(greet)
	w.RegisterWorkflow(waitAnHour)
	if err := w.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}

	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        "greet-1",
		TaskQueue: testQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword("WuyeEstate").ValueSet("estate-1"),
			temporal.NewSearchAttributeKeyInt64("WuyeEscalationLevel").ValueSet(2),
		),
	}, greet, "wuye")
	if err != nil {
		t.Fatalf("start greet: %v", err)
	}
	var greeting string
	if err := run.Get(ctx, &greeting); err != nil {
		t.Fatalf("run greet: %v", err)
	}
	if want := "hello wuye"; greeting != want {
		t.Errorf("greet result: got %q, want %q", greeting, want)
	}
	checkSearchAttributes(ctx, t, c, DefaultSearchAttributes())

	if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "wait-1", TaskQueue: testQueue}, waitAnHour); err != nil {
		t.Fatalf("start waitAnHour: %v", err)
	}
	w.Stop()
	c.Close()
	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := srv.Stop(); err != nil {
		t.Errorf("second Stop: got %v, want nil", err)
	}
	checkFileQuiet(t, filepath.Join(dir, dbFile))

	// Restart on the same file, with one more search attribute to register after start,
	// and a stand-in for the web UI.
	opts.SearchAttributes = DefaultSearchAttributes()
	opts.SearchAttributes["WuyeTestExtra"] = enums.INDEXED_VALUE_TYPE_KEYWORD
	opts.UIPort = 0
	var ui fakeUI
	opts.UI = ui.start
	begin = time.Now()
	srv, err = Start(ctx, opts)
	if err != nil {
		t.Fatalf("Start on the existing file: %v", err)
	}
	defer func() {
		if err := srv.Stop(); err != nil {
			t.Errorf("Stop after restart: %v", err)
		}
		if !ui.stopped {
			t.Error("Stop did not stop the web UI")
		}
	}()
	t.Logf("restart took %v", time.Since(begin))
	if got, want := ui.cfg.FrontendAddress, srv.FrontendAddress(); got != want {
		t.Errorf("UI frontend address: got %q, want %q", got, want)
	}
	if got, want := srv.UIAddress(), "127.0.0.1:8233"; got != want {
		t.Errorf("UIAddress: got %q, want %q", got, want)
	}

	c = dial(t, srv, logger)
	defer c.Close()
	desc, err := c.DescribeWorkflowExecution(ctx, "wait-1", "")
	if err != nil {
		t.Fatalf("describe wait-1 after restart: %v", err)
	}
	if got, want := desc.GetWorkflowExecutionInfo().GetStatus(), enums.WORKFLOW_EXECUTION_STATUS_RUNNING; got != want {
		t.Errorf("wait-1 status after restart: got %v, want %v", got, want)
	}
	checkSearchAttributes(ctx, t, c, opts.SearchAttributes)

	// An attribute added at this start is usable as soon as Start has returned.
	_, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        "wait-2",
		TaskQueue: testQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword("WuyeTestExtra").ValueSet("x"),
		),
	}, waitAnHour)
	if err != nil {
		t.Errorf("start with the search attribute added at restart: %v", err)
	}
}

func dial(t *testing.T, srv *Server, logger *slog.Logger) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  srv.FrontendAddress(),
		Namespace: testNamespace,
		Logger:    sdklog.NewStructuredLogger(logger),
	})
	if err != nil {
		t.Fatalf("dial %s: %v", srv.FrontendAddress(), err)
	}
	return c
}

func checkSearchAttributes(ctx context.Context, t *testing.T, c client.Client, want map[string]enums.IndexedValueType) {
	t.Helper()
	resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: testNamespace})
	if err != nil {
		t.Fatalf("list search attributes: %v", err)
	}
	got := resp.GetCustomAttributes()
	for name, typ := range want {
		if got[name] != typ {
			t.Errorf("search attribute %s: got %v, want %v", name, got[name], typ)
		}
	}
}

// checkFileQuiet fails when the store is still being written after Stop.
func checkFileQuiet(t *testing.T, path string) {
	t.Helper()
	stat := func() [2]time.Time {
		var times [2]time.Time
		for i, p := range []string{path, path + "-wal"} {
			if info, err := os.Stat(p); err == nil {
				times[i] = info.ModTime()
			}
		}
		return times
	}
	before := stat()
	if before[0].IsZero() {
		t.Fatalf("store file %s is missing", path)
	}
	time.Sleep(time.Second)
	if after := stat(); after != before {
		t.Errorf("store modified after Stop: got %v, want %v", after, before)
	}
}

// fakeUI stands in for webui.Start, which this package must not import.
type fakeUI struct {
	cfg     UIConfig
	stopped bool
}

func (u *fakeUI) start(cfg UIConfig) (func(), string, error) {
	u.cfg = cfg
	return func() { u.stopped = true }, "127.0.0.1:8233", nil
}
