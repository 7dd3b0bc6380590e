package engine

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// helperDirEnv makes the test binary a child that starts the engine on the
// directory it names and waits to be killed (see TestHelperFirstStart).
const helperDirEnv = "WUYE_ENGINE_HELPER_DIR"

// TestHelperFirstStart is not a test: run by TestKillDuringFirstStart as a
// child process, it starts the engine and waits for SIGKILL.
func TestHelperFirstStart(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		t.Skip("helper process of TestKillDuringFirstStart")
	}
	srv, err := Start(context.Background(), Options{DataDir: dir, Namespace: testNamespace, UIPort: -1,
		SearchAttributes: DefaultSearchAttributes()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	time.Sleep(time.Minute)
}

// TestKillDuringFirstStart kills a first start (SIGKILL, no shutdown) as soon
// as the store file appears, which is while its schema was being written
// statement by statement, then starts again on the same directory: the
// second start must work, not find a store without tables forever after.
func TestKillDuringFirstStart(t *testing.T) {
	if os.Getenv(helperDirEnv) != "" {
		t.Skip("inside the helper")
	}
	for range 3 {
		dir := filepath.Join(t.TempDir(), "engine")
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperFirstStart$")
		cmd.Env = append(os.Environ(), helperDirEnv+"="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		store := filepath.Join(dir, dbFile)
		for deadline := time.Now().Add(time.Minute); ; {
			if _, err := os.Stat(store); err == nil {
				break
			}
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				t.Fatalf("%s did not appear within a minute", store)
			}
			time.Sleep(50 * time.Microsecond)
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()

		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		srv, err := Start(ctx, Options{DataDir: dir, Namespace: testNamespace, UIPort: -1,
			SearchAttributes: DefaultSearchAttributes()})
		cancel()
		if err != nil {
			t.Fatalf("start after a kill during the first start: got %v, want a running server", err)
		}
		if err := srv.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	}
}

// TestOneOwnerPerDataDir starts a second server on a data directory in use,
// as a restart does when the first process still runs (a `go run` killed
// with kill -9 leaves its child, the service, running): it must be refused,
// naming the owner, rather than share the store. Once the owner stops, the
// directory can be used again.
func TestOneOwnerPerDataDir(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts := Options{DataDir: filepath.Join(t.TempDir(), "engine"), Namespace: testNamespace, UIPort: -1}
	first, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Start(ctx, opts)
	if err == nil {
		_ = second.Stop()
		_ = first.Stop()
		t.Fatal("second start on a directory in use: got a running server, want an error")
	}
	for _, want := range []string{"in use by another process", fmt.Sprintf("pid %d", os.Getpid())} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("second start on a directory in use: got %q, want it to contain %q", err, want)
		}
	}
	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}
	third, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("start after the owner stopped: got %v, want a running server", err)
	}
	if err := third.Stop(); err != nil {
		t.Error(err)
	}
}
