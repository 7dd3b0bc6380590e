package webui

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// The UI serves its page without asking the frontend, so no Temporal server is needed.
func TestStartServesUIAndStops(t *testing.T) {
	stop, addr, err := Start(Config{
		Host:            "127.0.0.1",
		FrontendAddress: "127.0.0.1:1", // never dialled by this test
		Namespace:       "default",
	})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}

	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		stop()
		t.Fatalf("GET /: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET / status: got %d, want %d", resp.StatusCode, http.StatusOK)
	}
	if !strings.Contains(strings.ToLower(string(body)), "<html") {
		t.Errorf("GET / body: got %.80q, want an HTML page", body)
	}

	stop()
	if conn, err := net.Dial("tcp", addr); err == nil {
		conn.Close()
		t.Errorf("after stop: %s still accepts connections", addr)
	}
}

func TestStartRefusesBusyPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	_, _, err = Start(Config{
		Host:            "127.0.0.1",
		Port:            l.Addr().(*net.TCPAddr).Port,
		FrontendAddress: "127.0.0.1:1",
	})
	if err == nil {
		t.Fatal("Start on a busy port: got nil error, want one")
	}
}
