package app

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
)

// ownProcess marks the test binary started again to run one test alone.
const ownProcess = "WUYE_TEST_OWN_PROCESS"

// workflowCoroutines counts the goroutines that run workflow code: each
// workflow the worker keeps in its cache holds its coroutines, parked
// between tasks; a workflow evicted from the cache has none.
func workflowCoroutines() int {
	var stacks bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&stacks, 2) // every goroutine's stack, as a panic prints them
	count := 0
	for g := range bytes.SplitSeq(stacks.Bytes(), []byte("\n\n")) {
		if bytes.Contains(g, []byte("go.temporal.io/sdk/internal.(*coroutineState).")) {
			count++
		}
	}
	return count
}

// TestWorkflowCacheSizeHolds: WUYE_WORKFLOW_CACHE_SIZE bounds how many
// open processes the worker keeps in memory. The SDK sizes its one cache
// when the first worker in the process starts, and the embedded server's
// own workers start before the app's: sized after the engine, the setting
// was ignored and every open process stayed cached (the bench's 10,500 open
// tickets held 23,000 goroutines with the cache at 2,000).
//
// The SDK's cache is one per process, made by the first worker and kept
// while any worker in the process holds it: after the other tests' apps it
// may be theirs, with their size. So the test runs in a process of its own,
// as the service does.
func TestWorkflowCacheSizeHolds(t *testing.T) {
	if os.Getenv(ownProcess) == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestWorkflowCacheSizeHolds$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), ownProcess+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("--- PASS: TestWorkflowCacheSizeHolds")) {
			t.Fatalf("in a process of its own: %v\n%s", err, out)
		}
		for line := range bytes.Lines(out) {
			if bytes.Contains(line, []byte("workflow coroutines with")) {
				t.Logf("in a process of its own: %s", bytes.TrimSpace(line))
			}
		}
		return
	}
	cfg := testConfig(t, t.TempDir())
	cfg.WorkflowCacheSize = 3
	a := startApp(t, cfg)
	estateID, as, _ := estateWithStaff(t, a, "CACHE", func(*models.Policy) {})
	desk := as[models.RoleCustomerService]

	const open = 20
	for range open {
		var tk idOnly
		desk.mustCall(http.MethodPost, "/api/v1/tickets", map[string]any{"estate_id": estateID, "kind": "repair",
			"urgency": "normal", "category": "门窗", "description": "窗户关不上", "location": "3栋201", "channel": "phone"},
			&tk, http.StatusCreated)
	}
	// A ticket's process keeps two coroutines while it waits for its
	// deadlines: twenty cached would be 40. The cache holds three, shared
	// with the engine's own system workflows; allow four coroutines each.
	bound := 4 * cfg.WorkflowCacheSize
	n := workflowCoroutines()
	for limit := time.Now().Add(30 * time.Second); n > bound && time.Now().Before(limit); n = workflowCoroutines() {
		time.Sleep(100 * time.Millisecond)
	}
	if n > bound {
		t.Fatalf("%d workflow coroutines with %d open processes, want at most %d: the cache of %d does not hold",
			n, open, bound, cfg.WorkflowCacheSize)
	}
	if n == 0 {
		t.Fatal("no workflow coroutine found: the count matches nothing, so the bound checked nothing")
	}
	t.Logf("%d workflow coroutines with %d open processes and a cache of %d", n, open, cfg.WorkflowCacheSize)
}
