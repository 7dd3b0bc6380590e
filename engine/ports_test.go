package engine

import (
	"net"
	"strconv"
	"strings"
	"testing"
)

func TestChoosePorts(t *testing.T) {
	got, err := choosePorts("127.0.0.1", 0)
	if err != nil {
		t.Fatalf("free ports: %v", err)
	}
	seen := make(map[int]bool)
	for _, p := range got.list() {
		if p == 0 || seen[p] {
			t.Errorf("free ports: got %v, want four distinct non-zero ports", got)
		}
		seen[p] = true
	}

	// A given frontend port is followed by the others; a busy one is named in
	// the error. Other tests hold ports too, so pick a busy port whose
	// neighbours are free before asserting which service the error names.
	l, busy := busyPortWithFreeNeighbours(t)
	defer l.Close()
	_, err = choosePorts("127.0.0.1", busy-2)
	if err == nil || !strings.Contains(err.Error(), "matching") {
		t.Errorf("frontend port %d with %d busy: got %v, want an error naming the matching service", busy-2, busy, err)
	}
}

// busyPortWithFreeNeighbours holds a loopback port p such that p-2, p-1
// and p+1 were free a moment ago.
func busyPortWithFreeNeighbours(t *testing.T) (net.Listener, int) {
	t.Helper()
	free := func(port int) bool {
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			return false
		}
		l.Close()
		return true
	}
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := l.Addr().(*net.TCPAddr).Port
		if p > 2 && free(p-2) && free(p-1) && free(p+1) {
			return l, p
		}
		l.Close()
	}
	t.Fatal("found no busy port with three free neighbours in 50 tries")
	return nil, 0
}
