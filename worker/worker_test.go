package worker_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/wuye/wuye/worker"
)

// activityNames notes the activity type names Register gives: Temporal
// registers an activity struct's exported methods under their names alone.
type activityNames struct {
	sdkworker.Registry
	names []string
}

func (r *activityNames) RegisterActivity(a any) {
	t := reflect.TypeOf(a)
	for i := range t.NumMethod() {
		r.names = append(r.names, t.Method(i).Name)
	}
	r.Registry.RegisterActivity(a)
}

// TestRegisterKeepsActivityNames registers everything on a real worker
// (which refuses a name registered twice) and checks that every activity
// a recorded history scheduled is still registered under its name: running
// processes call activities by name.
func TestRegisterKeepsActivityNames(t *testing.T) {
	c, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := &activityNames{Registry: sdkworker.New(c, "register-test", sdkworker.Options{})}
	worker.Register(r, worker.Deps{}, nil)

	files, err := filepath.Glob(filepath.Join("..", "workflows", "testdata", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("recorded histories: got %d (%v), want some", len(files), err)
	}
	for _, f := range files {
		var h struct {
			Events []struct {
				Scheduled *struct {
					ActivityType struct{ Name string } `json:"activityType"`
				} `json:"activityTaskScheduledEventAttributes"`
			} `json:"events"`
		}
		data, err := os.ReadFile(f)
		if err == nil {
			err = json.Unmarshal(data, &h)
		}
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, e := range h.Events {
			if e.Scheduled != nil && !slices.Contains(r.names, e.Scheduled.ActivityType.Name) {
				t.Errorf("%s schedules activity %q: got it unregistered (registered: %v)", filepath.Base(f), e.Scheduled.ActivityType.Name, r.names)
			}
		}
	}
}
