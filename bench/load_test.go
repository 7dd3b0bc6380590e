package main

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// TestClosedLoopKeepsEachRead checks that a closed loop reports every
// read's latency in the order sent, so that a slow one can be placed.
func TestClosedLoopKeepsEachRead(t *testing.T) {
	st := closedLoop(context.Background(), "reads", 3, func(_ context.Context, i int) (int, error) {
		if i == 1 {
			time.Sleep(20 * time.Millisecond)
		}
		return http.StatusOK, nil
	})
	if len(st.Samples) != 3 || st.Samples[1] < 20 || st.Samples[0] >= 20 || st.Samples[2] >= 20 {
		t.Fatalf("samples %v: want three, the second at least 20 ms and the others under it", st.Samples)
	}
	if st.MaxMs != st.Samples[1] {
		t.Fatalf("max %v ms, want the second read's %v ms", st.MaxMs, st.Samples[1])
	}
}
